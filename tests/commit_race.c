/* commit_race.c: another program saving PhotoMedia.csv while stockbatch
 * commits into it must not lose its save (tests/csv_race.sh drives it).
 *
 *   tests/commit_race CSV WRITES [CESTA...]
 *
 * A child process plays the spreadsheet: WRITES times (in bursts 5 ms
 * apart, with pauses between bursts) it reads the file, appends the token "w<k>." to the field that starts with
 * "MARKS:" (a row no commit touches) and saves: odd saves write a temp file
 * and rename it over the CSV, even ones rewrite the file in place (truncate
 * and write), as spreadsheets do.  Meanwhile this process commits a new
 * title into the rows CESTA... again and again (mediacsv_commit, as the
 * engine does).  At the end every token must be in the file: prints
 * "writes W lost L commits C refused R" and exits 1 if L > 0. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "photomedia.h"
#include "util.h"

static int write_all_fd(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One save of the spreadsheet: token k appended to the MARKS: field. */
static int save_once(const char *csv, int k)
{
	char *data;
	size_t len;
	if (read_whole_file(csv, &data, &len, NULL) < 0)
		return -1;
	char *m = strstr(data, "MARKS:");
	if (!m) {
		free(data);
		return -1;
	}
	char *end = m + strcspn(m, ",\r\n");
	char tok[32];
	int tl = snprintf(tok, sizeof tok, "w%d.", k);
	sbuf b = { 0 };
	sbuf_add(&b, data, (size_t)(end - data));
	sbuf_add(&b, tok, (size_t)tl);
	sbuf_add(&b, end, len - (size_t)(end - data));
	free(data);
	int rc = 0;
	if (k % 2) {
		char *tmp = xasprintf("%s.sheet~", csv);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		rc = fd < 0 || write_all_fd(fd, b.p, b.len) < 0 || close(fd) < 0 ||
				     rename(tmp, csv) < 0
			     ? -1
			     : 0;
		free(tmp);
	} else {
		int fd = open(csv, O_WRONLY | O_TRUNC | O_CLOEXEC);
		rc = fd < 0 || write_all_fd(fd, b.p, b.len) < 0 || close(fd) < 0 ? -1 : 0;
	}
	sbuf_free(&b);
	return rc;
}

/* Saves come in bursts of 1 to 4, 5 ms apart, with pauses of 60 to 400 ms
 * between bursts (a fixed pseudo-random sequence): commits get done in the
 * pauses, and the bursts land anywhere in them. */
static void sheet(const char *csv, int writes)
{
	const char *pm = getenv("SB_RACE_PAUSE");
	long pause_min = 60, pause_max = 400;
	if (pm)
		sscanf(pm, "%ld-%ld", &pause_min, &pause_max);
	unsigned long long x = 88172645463325252ULL;
	int burst = 0;
	for (int k = 1; k <= writes; k++) {
		if (save_once(csv, k) < 0) {
			fprintf(stderr, "the spreadsheet could not save %s (write %d)\n", csv, k);
			_exit(2);
		}
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		long ms = 5;
		if (burst-- <= 0) {
			burst = (int)(x % 4);
			ms = pause_min +
			     (long)((x >> 8) % (unsigned long long)(pause_max - pause_min + 1));
		}
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s CSV WRITES CESTA...\n", argv[0]);
		return 2;
	}
	const char *csv = argv[1];
	int writes = atoi(argv[2]);
	size_t n = (size_t)(argc - 3);
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		sheet(csv, writes);

	static const char *const kw[] = { "forest", "fog", "morning", "spruce", "hill" };
	mc_update *u = xcalloc(n, sizeof *u);
	size_t commits = 0, refused = 0;
	int status = 0;
	for (unsigned round = 0;; round++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		char title[64];
		snprintf(title, sizeof title, "Spruce forest in the morning fog, take %u", round);
		for (size_t i = 0; i < n; i++) {
			u[i].kind = MCU_SAVE;
			u[i].cesta = argv[3 + i];
			u[i].title = title;
			u[i].description = "Spruce forest on a hillside in the morning fog, light "
					   "between the trunks.";
			u[i].keywords = kw;
			u[i].nkeywords = sizeof kw / sizeof *kw;
		}
		mc_commit_opts o = { 0 };
		o.backup_session = "20260101_000000";
		mc_commit_result res;
		sb_err e;
		sb_err_clear(&e);
		if (mediacsv_commit(csv, u, n, &o, &res, &e) == 0) {
			commits += res.applied > 0;
			mc_commit_result_free(&res);
		} else {
			/* the file is being saved: try again in a moment */
			refused++;
			struct timespec ts = { 0, 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	free(u);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "the spreadsheet process failed\n");
		return 2;
	}
	char *data;
	size_t len;
	if (read_whole_file(csv, &data, &len, NULL) < 0)
		return 2;
	const char *m = strstr(data, "MARKS:");
	size_t fl = m ? strcspn(m, ",\r\n") : 0;
	int lost = 0;
	for (int k = 1; k <= writes; k++) {
		char tok[32];
		int tl = snprintf(tok, sizeof tok, "w%d.", k);
		/* tokens are "w<k>." one after another: "w1." is not in "w11." */
		bool found = false;
		for (const char *p = m; p && p < m + fl && !found;) {
			const char *q = memchr(p, 'w', (size_t)(m + fl - p));
			if (!q)
				break;
			found = (q == m + 6 || q[-1] == '.') && strncmp(q, tok, (size_t)tl) == 0;
			p = q + 1;
		}
		if (!found) {
			if (lost < 10)
				fprintf(stderr, "lost: write %d\n", k);
			lost++;
		}
	}
	free(data);
	mediacsv *chk;
	sb_err e;
	if (mediacsv_load(csv, &chk, &e) < 0) {
		fprintf(stderr, "the final file does not load: %s\n", e.msg);
		return 1;
	}
	mediacsv_free(chk);
	printf("writes %d lost %d commits %zu refused %zu\n", writes, lost, commits, refused);
	return lost ? 1 : 0;
}

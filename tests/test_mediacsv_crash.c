/* test_mediacsv_crash.c: kill -9 during commits.  A child commits batches of
 * results into a CSV copy forever; the parent SIGKILLs it at seeded random
 * instants (KILLS times).  After every kill the CSV must load, every row must
 * be fully old or fully new, and every commit the child saw succeed (it logs
 * them with fsync) must still be in the file. */
#include "config.h"
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "photomedia.h"
#include "util.h"

#define ROWS 24
#define BATCH 4
#define KILLS 220

static char *csv_path, *log_path, *dir;

static int fail(const char *what, long a, long b)
{
	fprintf(stderr, "test_mediacsv_crash: %s (%ld, %ld)\n", what, a, b);
	return 1;
}

/* The child: generation numbers only grow, so "newer" is well defined. */
static void child(long gen0)
{
	long gen = gen0;
	char stamp[32];
	snprintf(stamp, sizeof stamp, "20260101_%06ld", (gen0 / 100000) % 1000000);
	mc_commit_opts o = {.backups = 3, .backup_session = stamp, .today = "01.01.2026"};
	for (int b = 0;; b = (b + 1) % (ROWS / BATCH), gen++) {
		mc_update u[BATCH];
		char title[BATCH][64], desc[BATCH][64], path[BATCH][32];
		const char *kw[BATCH][2];
		for (int i = 0; i < BATCH; i++) {
			int row = b * BATCH + i;
			snprintf(title[i], sizeof title[i], "g%ld r%d", gen, row);
			snprintf(desc[i], sizeof desc[i], "g%ld r%d, described.", gen, row);
			snprintf(path[i], sizeof path[i], "/F/p%02d.jpg", row);
			kw[i][0] = title[i];
			kw[i][1] = "x";
			u[i] = (mc_update){.kind = MCU_SAVE, .cesta = path[i], .title = title[i],
					   .description = desc[i], .keywords = kw[i], .nkeywords = 2};
		}
		mc_commit_result res;
		sb_err e = {0};
		if (mediacsv_commit(csv_path, u, BATCH, &o, &res, &e) < 0) {
			fprintf(stderr, "child: %s\n", e.msg);
			_exit(3);
		}
		if (res.applied != BATCH)
			_exit(4);
		mc_commit_result_free(&res);
		char line[64];
		/* with its newline: one write(2), so a kill cannot split the line */
		snprintf(line, sizeof line, "%ld %d\n", gen, b);
		if (append_line_sync(log_path, line, NULL) < 0)
			_exit(5);
	}
}

/* gen of a row, -1 when untouched; -2 when half-applied */
static long row_gen(mediacsv *m, size_t r, int row)
{
	const char *t = mediacsv_field(m, r, MC_NAZEV);
	const char *d = mediacsv_field(m, r, MC_POPIS);
	const char *k = mediacsv_field(m, r, MC_KLICOVA);
	const char *s = mediacsv_field(m, r, "ShutterStock status");
	const char *a = mediacsv_field(m, r, "AdobeStock status");
	if (!*t && !*d && !*k && !strcmp(s, MC_ST_UNPROCESSED) && !strcmp(a, "chyba"))
		return -1;
	long g;
	int rr;
	if (sscanf(t, "g%ld r%d", &g, &rr) != 2 || rr != row)
		return -2;
	char want[128];
	snprintf(want, sizeof want, "g%ld r%d, described.", g, row);
	if (strcmp(d, want))
		return -2;
	snprintf(want, sizeof want, "g%ld r%d, x", g, row);
	if (strcmp(k, want) || strcmp(s, MC_ST_PREPARED) || strcmp(a, "chyba"))
		return -2;
	return g;
}

static void remove_temps(void)
{
	/* atomic_write's temp files of killed children */
	DIR *dp = opendir(dir);
	struct dirent *de;
	while ((de = readdir(dp)))
		if (strstr(de->d_name, ".tmp.")) {
			char *p = path_join(dir, de->d_name);
			unlink(p);
			free(p);
		}
	closedir(dp);
}

int main(void)
{
	const char *seed_env = getenv("CSV_CRASH_SEED");
	unsigned seed = seed_env ? (unsigned)strtoul(seed_env, NULL, 10) : 20261123u;
	dir = xstrdup("/tmp/mcsvcrashXXXXXX");
	if (!mkdtemp(dir))
		return fail("mkdtemp", 0, 0);
	csv_path = path_join(dir, "PhotoMedia.csv");
	log_path = path_join(dir, "committed.log");
	sbuf s = {0};
	sbuf_adds(&s, "\xEF\xBB\xBFSoubor,Název,Popis,Datum přípravy,Klíčová slova,"
		      "ShutterStock status,AdobeStock status,Originál,Cesta\r\n");
	for (int i = 0; i < ROWS; i++)
		sbuf_printf(&s, "p%02d.jpg,,,,,nezpracováno,chyba,ano,/F/p%02d.jpg\r\n", i, i);
	if (atomic_write(csv_path, s.p, s.len, 0644, NULL) < 0)
		return fail("write csv", 0, 0);
	sbuf_free(&s);

	long logged_max[ROWS];
	for (int i = 0; i < ROWS; i++)
		logged_max[i] = -1;
	long commits = 0, mid_kills = 0;
	int rc = 0;
	const unsigned seed0 = seed;
	/* the first run calibrates: how long one commit takes on this disk */
	useconds_t window = 300000;
	for (int k = 0; k < KILLS && rc == 0; k++) {
		fflush(NULL);
		int pfd[2];
		if (pipe(pfd) < 0)
			return fail("pipe", 0, 0);
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork", 0, 0);
		if (pid == 0) {
			close(pfd[0]);
			if (write(pfd[1], "s", 1) != 1)
				_exit(6);
			close(pfd[1]);
			child((long)(k + 1) * 100000);
		}
		/* the clock starts when the child runs, not when fork returns */
		close(pfd[1]);
		char ch;
		if (read(pfd[0], &ch, 1) != 1)
			return fail("child did not start", k, 0);
		close(pfd[0]);
		/* random instants over a fork, a session backup and a few commits:
		 * kills land in load, merge, backup, write, rename and log */
		usleep(k == 0 ? window : (useconds_t)((unsigned)rand_r(&seed) % window));
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		if (!WIFSIGNALED(st))
			return fail("child exited by itself; status", (long)st, k);
		remove_temps();

		mediacsv *m;
		sb_err e = {0};
		if (mediacsv_load(csv_path, &m, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			return fail("CSV does not load after kill", k, 0);
		}
		if (mediacsv_rows(m) != ROWS)
			rc = fail("row count", (long)mediacsv_rows(m), k);
		/* what the children saw committed */
		FILE *f = fopen(log_path, "r");
		long g;
		int b, n = 0;
		while (f && fscanf(f, "%ld %d", &g, &b) == 2) {
			if (b < 0 || b >= ROWS / BATCH) {
				rc = fail("bad log line", g, b);
				break;
			}
			n++;
			for (int i = 0; i < BATCH; i++)
				if (g > logged_max[b * BATCH + i])
					logged_max[b * BATCH + i] = g;
		}
		if (f)
			fclose(f);
		if (k == 0) {
			/* capped: the machine is shared and the calibration noisy */
			window = (useconds_t)(3 * 300000 / (n > 0 ? n : 1) + 2000);
			if (window > 25000)
				window = 25000;
		}
		else if (n > commits)
			mid_kills++;
		commits = n;
		for (int r = 0; r < ROWS && rc == 0; r++) {
			long rg = row_gen(m, (size_t)r, r);
			if (rg == -2)
				rc = fail("half-applied row after kill", r, k);
			else if (rg < logged_max[r])
				rc = fail("a committed result was lost: row, kill", r, k);
		}
		mediacsv_free(m);
	}
	printf("kills %d, commits logged %ld, kills after progress %ld, window %u us, seed %u\n",
	       KILLS, commits, mid_kills, (unsigned)window, seed0);
	if (rc == 0 && commits == 0)
		rc = fail("no commit ever completed: the test proves nothing", 0, 0);
	/* a kill between a backup and its rotation leaves one more; the next
	 * session's commit rotates back to 3 */
	const char *kw[] = {"final"};
	mc_update fu = {.kind = MCU_SAVE, .cesta = "/F/p00.jpg", .title = "final", .keywords = kw,
			.nkeywords = 1};
	mc_commit_opts fo = {.backups = 3, .backup_session = "20991231_235959"};
	mc_commit_result fres;
	sb_err fe = {0};
	if (rc == 0 && (mediacsv_commit(csv_path, &fu, 1, &fo, &fres, &fe) < 0 || fres.applied != 1))
		rc = fail("final commit", 0, 0);
	mc_commit_result_free(&fres);
	DIR *dp = opendir(dir);
	struct dirent *de;
	int nb = 0;
	while ((de = readdir(dp))) {
		if (strncmp(de->d_name, "PhotoMedia_", 11) == 0)
			nb++;
		if (de->d_name[0] != '.') {
			char *p = path_join(dir, de->d_name);
			unlink(p);
			free(p);
		}
	}
	closedir(dp);
	rmdir(dir);
	if (rc == 0 && (nb < 1 || nb > 3))
		rc = fail("backups not rotated to 3", nb, 0);
	free(csv_path);
	free(log_path);
	free(dir);
	return rc;
}

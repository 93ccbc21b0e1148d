/* test_engine_crash.c: the kill -9 campaign (SPEC 12).  A child process
 * saves descriptions and runs every phase against the fake API; the parent
 * SIGKILLs it at a random instant (seeded), again and again, then lets a
 * plain restart finish.  Afterwards: no saved description is lost, no
 * custom id was submitted in two provider batches (the fake's /__stats),
 * no row is committed twice (duplicate rows) or half (a title without its
 * keywords or status), untouched rows are byte-identical.
 * SB_CRASH_SEED and SB_CRASH_KILLS override the seed and the kill count. */
#include "config.h"
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batchstore.h"
#include "engine.h"
#include "fakeproc.h"
#include "http.h"
#include "log.h"
#include "photomedia.h"
#include "settings.h"
#include "tokens.h"

#define DESC "Klidné horské jezero s odrazem lesa a skal v ranním světle, podzimní nálada."
#define ROUNDS 5
#define PHOTOS 18

static int failures;
/* Where the child was when it died (shared page): coverage of the phases. */
enum { AT_START, AT_DESCRIBE, AT_ENGINE, AT_SENT, AT_POLL, AT_DONE, AT__N };
static const char *const at_name[] = { "start", "describe", "engine", "after-send", "poll",
				       "after-commit" };
static volatile int *at;
#define CHECK(cond, ...)                                        \
	do {                                                    \
		if (!(cond)) {                                  \
			fprintf(stderr, "FAIL: " __VA_ARGS__);  \
			fputc('\n', stderr);                    \
			failures++;                             \
		}                                               \
	} while (0)

static unsigned long long rng_state;
static double rnd(void) /* xorshift64*: the same instants for the same seed */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

typedef struct crash_round {
	char dir[128], csv[256], state[256], savedlog[256];
	char *photos[PHOTOS + 1];
	size_t nphotos;
	char *orig;
	size_t orig_len;
	fakeproc fake;
} crash_round;

static void cfg_for(crash_round *R, settings *cfg)
{
	sb_err e = { 0 };
	settings_defaults(cfg);
	settings_set(cfg, "provider", "openai", "test", &e);
	settings_set(cfg, "openai_base_url", R->fake.oai, "test", &e);
	settings_set(cfg, "media_csv", R->csv, "test", &e);
	settings_set(cfg, "state_dir", R->state, "test", &e);
	settings_set(cfg, "batch_size", "3", "test", &e);
	settings_set(cfg, "poll_interval", "1", "test", &e);
	settings_finish(cfg);
}

static void on_log(log_level lv, const char *line, void *ctx)
{
	(void)lv;
	(void)ctx;
	if (strstr(line, " sent: "))
		*at = AT_SENT;
	else if (strstr(line, " completed: ") || strstr(line, " expired: "))
		*at = AT_DONE;
}

static void on_progress(const char *what, size_t done, size_t total, void *ctx)
{
	(void)done; (void)total; (void)ctx;
	*at = strcmp(what, "send") ? AT_POLL : AT_SENT;
}

/* The child: save the descriptions not saved yet, then every phase. */
static void child(crash_round *R, int wait_s)
{
	log_set_stderr(LOG_ERROR + 1);
	log_set_sink(on_log, NULL);
	*at = AT_START;
	settings cfg;
	cfg_for(R, &cfg);
	sb_err e = { 0 };
	store *st;
	if (store_open(R->state, &st, &e) < 0)
		_exit(10);
	mediacsv *m;
	if (mediacsv_load(R->csv, &m, &e) < 0)
		_exit(11);
	int logfd = open(R->savedlog, O_WRONLY | O_APPEND | O_CREAT, 0644);
	for (size_t i = 0; i < R->nphotos; i++) {
		char held[40];
		file_state known;
		if (store_file_batch(st, R->photos[i], held) || store_file_known(st, R->photos[i], &known))
			continue;
		*at = AT_DESCRIBE;
		batch_info b;
		if (store_collecting(st, "originals", cfg.provider, cfg.model, &b, &e) < 0)
			_exit(12);
		file_entry f;
		memset(&f, 0, sizeof f);
		f.cesta = R->photos[i];
		f.description = (char *)DESC;
		f.state = FS_DESCRIPTION_SAVED;
		mediacsv_fingerprint(m, (size_t)mediacsv_find(m, R->photos[i]), f.fingerprint);
		if (store_add_file(st, b.id, &f, &e) < 0)
			_exit(13);
		/* durable now: the parent checks it is never lost */
		dprintf(logfd, "%s\n", R->photos[i]);
		store_seal_if_full(st, b.id, 3, &e);
	}
	mediacsv_free(m);
	engine *en;
	*at = AT_ENGINE;
	if (engine_open(&cfg, st, &en, &e) < 0)
		_exit(14);
	engine_set_progress(en, on_progress, NULL);
	engine_seal_now(en, &e);
	run_report rep;
	int rc = engine_run(en, PH_ALL, wait_s, &rep, &e);
	engine_close(en);
	store_close(st);
	_exit(rc < 0 ? 15 : 0);
}

static void make_round(crash_round *R, int k)
{
	memset(R, 0, sizeof *R);
	snprintf(R->dir, sizeof R->dir, "/tmp/sbcrash.XXXXXX");
	if (!mkdtemp(R->dir))
		exit(99);
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "sh -c '. \"$top_srcdir/tests/lib.sh\"; trap - EXIT; sb_make_library \"$1\" %d' sh %s",
		 PHOTOS, R->dir);
	if (system(cmd) != 0)
		exit(99);
	snprintf(R->csv, sizeof R->csv, "%s/PhotoMedia.csv", R->dir);
	snprintf(R->state, sizeof R->state, "%s/.stockbatch", R->dir);
	snprintf(R->savedlog, sizeof R->savedlog, "%s/saved.log", R->dir);
	char man[256], *data;
	size_t len;
	sb_err e = { 0 };
	snprintf(man, sizeof man, "%s/.sb_manifest", R->dir);
	if (read_whole_file(man, &data, &len, &e) < 0)
		exit(99);
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, "photo\t", 6) && R->nphotos < PHOTOS)
			R->photos[R->nphotos++] = xstrdup(line + 6);
	free(data);
	if (read_whole_file(R->csv, &R->orig, &R->orig_len, &e) < 0)
		exit(99);
	/* a few rounds also lose the reply of a batch create */
	const char *plain[] = { "--step", "0.02", NULL };
	const char *lossy[] = { "--step", "0.02", "--fault", "crash_create=2", NULL };
	if (fake_start(&R->fake, k % 2 ? lossy : plain) < 0)
		exit(99);
}

/* Checks after the final restart.  Returns lost and duplicated counts. */
static void verify(crash_round *R, size_t *lost, size_t *dup, size_t *items)
{
	sb_err e = { 0 };
	store *st;
	if (store_open(R->state, &st, &e) < 0) {
		CHECK(0, "store_open after the campaign: %s", e.msg);
		return;
	}
	/* every durable description is in the store and committed */
	char *data = NULL;
	size_t len = 0;
	read_whole_file(R->savedlog, &data, &len, &e);
	for (char *line = data ? strtok(data, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		file_state s;
		char held[40];
		bool known = store_file_known(st, line, &s);
		if (store_file_batch(st, line, held) || !known || s != FS_SAVED_TO_CSV) {
			(*lost)++;
			fprintf(stderr, "lost or unfinished: %s (%s)\n", line,
				known ? file_state_name(s) : "unknown");
		}
	}
	free(data);
	/* the CSV: one row per Cesta, every photo fully committed */
	mediacsv *m;
	if (mediacsv_load(R->csv, &m, &e) < 0) {
		CHECK(0, "CSV unreadable after the campaign: %s", e.msg);
		store_close(st);
		return;
	}
	int cesta = mediacsv_col(m, MC_CESTA);
	for (size_t i = 0; i < mediacsv_rows(m); i++)
		for (size_t j = i + 1; j < mediacsv_rows(m); j++)
			if (!strcmp(mediacsv_get(m, i, cesta), mediacsv_get(m, j, cesta))) {
				(*dup)++;
				fprintf(stderr, "row twice: %s\n", mediacsv_get(m, i, cesta));
			}
	for (size_t i = 0; i < R->nphotos; i++) {
		long r = mediacsv_find(m, R->photos[i]);
		(*items)++;
		if (r < 0) {
			CHECK(0, "row vanished: %s", R->photos[i]);
			continue;
		}
		bool title = *mediacsv_field(m, (size_t)r, MC_NAZEV) != 0;
		bool kw = *mediacsv_field(m, (size_t)r, MC_KLICOVA) != 0;
		bool desc = *mediacsv_field(m, (size_t)r, MC_POPIS) != 0;
		bool stat = !strcmp(mediacsv_field(m, (size_t)r, "ShutterStock status"), MC_ST_PREPARED);
		CHECK(title && kw && desc && stat, "row half committed or not at all: %s", R->photos[i]);
	}
	mediacsv_free(m);
	/* untouched rows: byte-identical lines */
	char *now;
	if (read_whole_file(R->csv, &now, &len, &e) == 0) {
		char *copy = xstrndup(R->orig, R->orig_len), *save;
		for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (!strstr(line, "IMG_00") && !strstr(now, line))
				CHECK(0, "an untouched row changed: %s", line);
		free(copy);
		free(now);
	}
	store_close(st);
	/* no custom id in two provider batches */
	char *s = fake_call_(&R->fake, "/__stats", NULL);
	json_object *o = json_tokener_parse(s), *ids;
	free(s);
	if (o && json_object_object_get_ex(o, "custom_ids", &ids)) {
		json_object_object_foreach(ids, k, v) {
			if (json_object_get_int64(v) > 1) {
				(*dup)++;
				fprintf(stderr, "submitted %lld times: %s\n",
					(long long)json_object_get_int64(v), k);
			}
		}
	} else {
		CHECK(0, "no /__stats from the fake");
	}
	json_object_put(o);
}

int main(void)
{
	const char *seed = getenv("SB_CRASH_SEED");
	const char *nk = getenv("SB_CRASH_KILLS");
	rng_state = seed ? strtoull(seed, NULL, 10) : 20261123ULL;
	if (!rng_state)
		rng_state = 1;
	int want_kills = nk ? atoi(nk) : 200;
	http_global_init();
	log_set_stderr(LOG_ERROR + 1);
	setenv("OPENAI_API_KEY", "sk-test-fake", 1);
	sb_err e = { 0 };
	tokens_init(NULL, &e); /* loaded once here; every child inherits it */

	at = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	size_t killed_at[AT__N] = { 0 };
	size_t runs = 0, kills = 0, items = 0, lost = 0, dup = 0, clean = 0;
	int per_round = (want_kills + ROUNDS - 1) / ROUNDS;
	for (int k = 0; k < ROUNDS; k++) {
		crash_round R;
		make_round(&R, k);
		/* kill instants spread over what a run takes now (it shrinks as work completes) */
		double window = 0.3;
		int done = 0;
		while (done < per_round) {
			/* sqrt: more instants late in the run, where sends and commits are */
			double t0 = now_mono(), t = sqrt(rnd()) * window;
			pid_t pid = fork();
			if (pid == 0)
				child(&R, 0);
			runs++;
			int status;
			bool exited = false;
			while (now_mono() - t0 < t) {
				if (waitpid(pid, &status, WNOHANG) == pid) {
					exited = true;
					break;
				}
				usleep(500);
			}
			if (exited) {
				clean++;
				double d = now_mono() - t0;
				window = d * 1.2 > 0.01 ? d * 1.2 : 0.01;
				continue;
			}
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			kills++;
			killed_at[*at]++;
			done++;
			window *= 1.05; /* a killed run may have had more to do */
		}
		/* a plain restart to completion */
		pid_t pid = fork();
		if (pid == 0)
			child(&R, 60);
		int status;
		waitpid(pid, &status, 0);
		runs++;
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "round %d: the final run failed (status %d)", k, status);
		verify(&R, &lost, &dup, &items);
		fake_stop(&R.fake);
		if (!getenv("SB_KEEP")) {
			char cmd[256];
			snprintf(cmd, sizeof cmd, "rm -rf '%s'", R.dir);
			if (system(cmd) != 0)
				fprintf(stderr, "cannot remove %s\n", R.dir);
		}
		for (size_t i = 0; i < R.nphotos; i++)
			free(R.photos[i]);
		free(R.orig);
	}
	printf("crash campaign: seed %llu, runs %zu (%zu ran to the end), kills %zu, items %zu, lost=%zu, duplicated=%zu\n",
	       seed ? strtoull(seed, NULL, 10) : 20261123ULL, runs, clean, kills,
	       items, lost, dup);
	printf("killed after:");
	for (int i = 0; i < AT__N; i++)
		printf(" %s %zu", at_name[i], killed_at[i]);
	printf("\n");
	CHECK(kills >= (size_t)want_kills, "only %zu kills", kills);
	CHECK(lost == 0, "%zu descriptions lost", lost);
	CHECK(dup == 0, "%zu duplicates", dup);
	return failures ? 1 : 0;
}

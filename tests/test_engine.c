/* test_engine.c: the batch engine end to end against the fake API
 * (tests/fakeapi.py) with a small generated library (tests/lib.sh):
 * descriptions saved -> send -> retrieve -> rows committed exactly as the
 * regular mode's rules (mediacsv_apply) make them, untouched rows
 * byte-identical; faults (line errors, bad JSON, expiry, a 429 storm, a
 * cancel midway) end with every item committed or dead-lettered with a
 * reason; a CSV edited while a batch is out keeps the edits.  Plus the
 * small pieces: alternative paths, archives, reports. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#define SB_WANT_LIBARCHIVE 1
#include "archive.h"
#include <archive_entry.h>

#include "agency.h"
#include "batchstore.h"
#include "engine.h"
#include "fakeproc.h"
#include "http.h"
#include "log.h"
#include "photomedia.h"
#include "provider.h"
#include "report.h"
#include "review.h"
#include "settings.h"
#include "timedwait_watch.h"

#define DESC "Klidné horské jezero s odrazem lesa a skal v ranním světle, podzimní nálada."

typedef struct lib {
	char dir[256];
	fakeproc fake;
	settings cfg;
	store *st;
	engine *en;
	char *photos[64];
	size_t nphotos;
	char *alt, *video, *missing, *prepared;
	char *orig_csv; /* the CSV as generated */
	size_t orig_len;
} lib;

static lib *cur_lib; /* closed by the teardown when an assertion fails */

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

static void lib_cfg(lib *L, const char *key, const char *val)
{
	sb_err e = { 0 };
	if (settings_set(&L->cfg, key, val, "test", &e) < 0)
		fail_msg("setting %s: %s", key, e.msg);
}

/* A library of n photos, the fake started with args, extra settings kv
 * ("key", "value", ..., NULL). */
static void lib_open(lib *L, int n, const char *const *fake_args, const char *const *kv)
{
	memset(L, 0, sizeof *L);
	snprintf(L->dir, sizeof L->dir, "/tmp/sbeng.XXXXXX");
	assert_non_null(mkdtemp(L->dir));
	sh("sh -c '. \"$top_srcdir/tests/lib.sh\"; trap - EXIT; sb_make_library \"$1\" \"$2\"' sh %s %d",
	   L->dir, n);
	char *man = path_join(L->dir, ".sb_manifest"), *data;
	size_t len;
	sb_err e = { 0 };
	assert_int_equal(read_whole_file(man, &data, &len, &e), 0);
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		char *tab = strchr(line, '\t');
		*tab = 0;
		if (!strcmp(line, "photo"))
			L->photos[L->nphotos++] = xstrdup(tab + 1);
		else if (!strcmp(line, "alt"))
			L->alt = xstrdup(tab + 1);
		else if (!strcmp(line, "video"))
			L->video = xstrdup(tab + 1);
		else if (!strcmp(line, "missing"))
			L->missing = xstrdup(tab + 1);
		else if (!strcmp(line, "prepared"))
			L->prepared = xstrdup(tab + 1);
	}
	free(data);
	free(man);
	char *csv = path_join(L->dir, "PhotoMedia.csv");
	assert_int_equal(read_whole_file(csv, &L->orig_csv, &L->orig_len, &e), 0);

	const char *def_args[] = { "--step", "0.05", NULL };
	assert_int_equal(fake_start(&L->fake, fake_args ? fake_args : def_args), 0);
	setenv("OPENAI_API_KEY", "sk-test-fake", 1);
	settings_defaults(&L->cfg);
	lib_cfg(L, "provider", "openai");
	lib_cfg(L, "openai_base_url", L->fake.oai);
	lib_cfg(L, "media_csv", csv);
	char *sd = path_join(L->dir, ".stockbatch");
	lib_cfg(L, "state_dir", sd);
	lib_cfg(L, "poll_interval", "1");
	for (int i = 0; kv && kv[i]; i += 2)
		lib_cfg(L, kv[i], kv[i + 1]);
	settings_finish(&L->cfg);
	assert_int_equal(store_open(sd, &L->st, &e), 0);
	free(sd);
	free(csv);
	if (engine_open(&L->cfg, L->st, &L->en, &e) < 0)
		fail_msg("engine_open: %s", e.msg);
	cur_lib = L;
}

static void lib_close(lib *L)
{
	cur_lib = NULL;
	engine_close(L->en);
	store_close(L->st);
	fake_stop(&L->fake);
	settings_free(&L->cfg);
	if (!getenv("SB_KEEP"))
		sh("rm -rf '%s'", L->dir);
	for (size_t i = 0; i < L->nphotos; i++)
		free(L->photos[i]);
	free(L->alt);
	free(L->video);
	free(L->missing);
	free(L->prepared);
	free(L->orig_csv);
}

/* Save a description as the TUI does: fingerprint of the row now. */
static void describe(lib *L, const char *cesta)
{
	sb_err e = { 0 };
	mediacsv *m;
	assert_int_equal(mediacsv_load(L->cfg.media_csv, &m, &e), 0);
	long row = mediacsv_find(m, cesta);
	assert_true(row >= 0);
	batch_info b;
	assert_int_equal(store_collecting(L->st, "originals", L->cfg.provider, L->cfg.model, &b, &e), 0);
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = (char *)DESC;
	f.state = FS_DESCRIPTION_SAVED;
	mediacsv_fingerprint(m, (size_t)row, f.fingerprint);
	if (store_add_file(L->st, b.id, &f, &e) < 0)
		fail_msg("store_add_file: %s", e.msg);
	store_seal_if_full(L->st, b.id, (size_t)L->cfg.batch_size, &e);
	mediacsv_free(m);
}

static void describe_all(lib *L)
{
	for (size_t i = 0; i < L->nphotos; i++)
		describe(L, L->photos[i]);
	sb_err e = { 0 };
	assert_int_equal(engine_seal_now(L->en, &e), 0);
}

static int run(lib *L, unsigned ph, int wait_s, run_report *rep)
{
	sb_err e = { 0 };
	run_report r;
	int rc = engine_run(L->en, ph, wait_s, rep ? rep : &r, &e);
	if (rc < 0)
		print_message("engine_run: %s\n", e.msg);
	return rc;
}

/* Final state of a Cesta in the store (the last batch that held it). */
static file_state state_of(lib *L, const char *cesta, char **reason)
{
	batch_info *bs;
	size_t n = store_list(L->st, &bs);
	file_state s = FS__COUNT;
	if (reason)
		*reason = NULL;
	for (size_t i = 0; i < n; i++) {
		file_entry f;
		memset(&f, 0, sizeof f);
		if (store_file_get(L->st, bs[i].id, cesta, &f) == 0) {
			/* a requeued item: the newest batch decides */
			s = f.state;
			if (reason) {
				free(*reason);
				*reason = f.reason ? xstrdup(f.reason) : NULL;
			}
			file_entries_free(&f, 1);
		}
	}
	free(bs);
	return s;
}

/* Every described item ends committed or dead-lettered with a reason. */
static void check_all_resolved(lib *L, size_t *saved, size_t *dead)
{
	*saved = *dead = 0;
	for (size_t i = 0; i < L->nphotos; i++) {
		char *why;
		file_state s = state_of(L, L->photos[i], &why);
		if (s == FS_SAVED_TO_CSV)
			(*saved)++;
		else if (s == FS_DEAD || s == FS_ERROR) {
			if (!why || !*why)
				fail_msg("%s is %s without a reason", L->photos[i], file_state_name(s));
			(*dead)++;
		} else
			fail_msg("%s ended %s, neither committed nor dead-lettered", L->photos[i],
				 s == FS__COUNT ? "nowhere" : file_state_name(s));
		free(why);
	}
}

/* The committed row equals the original row with the answer applied by the
 * regular mode's rules (mediacsv_apply), byte for byte once serialised. */
static void check_rows_as_rules(lib *L)
{
	sb_err e = { 0 };
	mediacsv *now, *orig;
	assert_int_equal(mediacsv_load(L->cfg.media_csv, &now, &e), 0);
	assert_int_equal(mediacsv_parse("orig", L->orig_csv, L->orig_len, &orig, &e), 0);
	agency_lists *al;
	assert_int_equal(agency_lists_load(&L->cfg, NULL, &al, &e), 0);
	batch_info *bs;
	size_t nb = store_list(L->st, &bs), checked = 0;
	for (size_t b = 0; b < nb; b++) {
		if (strcmp(bs[b].kind, "originals"))
			continue;
		char *outp = store_batch_path(L->st, bs[b].id, "output.jsonl");
		FILE *in = fopen(outp, "r");
		free(outp);
		if (!in)
			continue;
		char *line = NULL;
		size_t cap = 0;
		while (getline(&line, &cap, in) > 0) {
			json_object *o = json_tokener_parse(line), *v, *body, *ch;
			assert_non_null(o);
			const char *cid = json_object_object_get_ex(o, "custom_id", &v) ? json_object_get_string(v) : "";
			if (!json_object_object_get_ex(o, "response", &v) ||
			    !json_object_object_get_ex(v, "body", &body) ||
			    !json_object_object_get_ex(body, "choices", &ch)) {
				json_object_put(o);
				continue;
			}
			json_object *msg = json_object_array_get_idx(ch, 0), *c;
			json_object_object_get_ex(msg, "message", &msg);
			json_object_object_get_ex(msg, "content", &c);
			const char *content = json_object_get_string(c);
			/* which file has this custom id */
			file_entry *fs;
			size_t nf;
			store_files(L->st, bs[b].id, &fs, &nf);
			for (size_t k = 0; k < nf; k++) {
				if (!fs[k].custom_id || strcmp(fs[k].custom_id, cid) || fs[k].state != FS_SAVED_TO_CSV)
					continue;
				meta_record m;
				memset(&m, 0, sizeof m);
				meta_check chk = { 0 };
				meta_opts mo = { .editorial = fs[k].editorial };
				if (fs[k].editorial) {
					mo.city = fs[k].ed.city;
					mo.country = fs[k].ed.country;
					mo.date = fs[k].ed.date;
				}
				if (meta_parse(content, strlen(content), &m, &e) < 0 ||
				    meta_validate_opts(&m, &L->cfg, al, &mo, &chk) < 0) {
					meta_free(&m);
					continue; /* retried live: another answer was committed */
				}
				char *cv[4] = { 0 };
				mc_category cats[4];
				for (size_t q = 0; q < m.ncats && q < 4; q++) {
					sbuf sb = { 0 };
					for (size_t z = 0; z < m.cats[q].n; z++)
						sbuf_printf(&sb, "%s%s", z ? ", " : "", m.cats[q].cats[z]);
					cv[q] = sbuf_steal(&sb);
					cats[q].bank = m.cats[q].agency;
					cats[q].value = cv[q];
				}
				mc_update u = { .kind = MCU_SAVE, .cesta = fs[k].cesta,
						.title = m.title, .description = m.description,
						.keywords = (const char *const *)m.keywords,
						.nkeywords = m.nkeywords, .cats = cats,
						.ncats = m.ncats < 4 ? m.ncats : 4,
						.editorial = fs[k].editorial };
				mc_commit_opts co = { .title_max = L->cfg.title_max };
				long r0 = mediacsv_find(orig, fs[k].cesta), r1 = mediacsv_find(now, fs[k].cesta);
				assert_true(r0 >= 0 && r1 >= 0);
				assert_int_equal(mediacsv_apply(orig, (size_t)r0, &u, &co, &e), 0);
				for (size_t col = 0; col < mediacsv_cols(orig); col++) {
					const char *name = mediacsv_colname(orig, col);
					const char *want = mediacsv_get(orig, (size_t)r0, (int)col);
					const char *got = mediacsv_field(now, (size_t)r1, name);
					if (strcmp(want, got))
						fail_msg("%s column %s: got \"%s\", want \"%s\"", fs[k].cesta, name,
							 got, want);
				}
				checked++;
				for (int q = 0; q < 4; q++)
					free(cv[q]);
				meta_free(&m);
			}
			file_entries_free(fs, nf);
			json_object_put(o);
		}
		free(line);
		fclose(in);
	}
	free(bs);
	agency_lists_free(al);
	mediacsv_free(orig);
	mediacsv_free(now);
	assert_true(checked > 0);
}

/* Rows we did not touch keep their exact bytes (lines of the original). */
static void check_untouched_identical(lib *L, const char *const *touched, size_t nt)
{
	char *now;
	size_t len;
	sb_err e = { 0 };
	assert_int_equal(read_whole_file(L->cfg.media_csv, &now, &len, &e), 0);
	char *copy = xstrndup(L->orig_csv, L->orig_len);
	size_t n = 0;
	for (char *save, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool t = false;
		for (size_t i = 0; i < nt; i++)
			t |= touched[i] && strstr(line, touched[i]) != NULL;
		if (t)
			continue;
		if (!strstr(now, line))
			fail_msg("an untouched row changed: %s", line);
		n++;
	}
	assert_true(n >= 2);
	free(copy);
	free(now);
}

/* The most batches any custom id was created in (1 = never twice). */
static long max_custom_id_count(lib *L)
{
	char *s = fake_call_(&L->fake, "/__stats", NULL);
	json_object *o = json_tokener_parse(s), *ids;
	free(s);
	long mx = 0;
	assert_true(json_object_object_get_ex(o, "custom_ids", &ids));
	json_object_object_foreach(ids, k, v) {
		(void)k;
		if (json_object_get_int64(v) > mx)
			mx = json_object_get_int64(v);
	}
	json_object_put(o);
	return mx;
}

/* The originals batches (alternatives' batches left out). */
static size_t orig_batches(lib *L, batch_info **out)
{
	batch_info *bs;
	size_t n = store_list(L->st, &bs), k = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(bs[i].kind, "originals"))
			bs[k++] = bs[i];
	*out = bs;
	return k;
}

/* ---- unit pieces ---- */

static void test_alt_cesta(void **st)
{
	(void)st;
	char *a = engine_alt_cesta("J:\\Foto\\JPG\\Příroda\\IMG_1.jpg", "bw");
	assert_string_equal(a, "J:\\Upravené foto\\JPG\\Příroda\\IMG_1_bw.jpg");
	free(a);
	a = engine_alt_cesta("/srv/Foto/x/DSC 5.JPG", "negative");
	assert_string_equal(a, "/srv/Upravené foto/x/DSC 5_negative.JPG");
	free(a);
	a = engine_alt_cesta("/srv/Video/v/clip.mp4", "bw");
	assert_string_equal(a, "/srv/Upravené video/v/clip_bw.mp4");
	free(a);
	assert_null(engine_alt_cesta("/srv/Fotografie/a.jpg", "bw"));
	assert_null(engine_alt_cesta("/srv/photos/a.jpg", "bw"));
}

static void test_archive_dir(void **st)
{
	(void)st;
	char dir[] = "/tmp/sbarc.XXXXXX";
	assert_non_null(mkdtemp(dir));
	sb_err e = { 0 };
	char *src = path_join(dir, "b1"), *sub = path_join(src, "sub");
	assert_int_equal(mkdir_p(sub, 0755, &e), 0);
	char *f1 = path_join(src, "batch.json"), *f2 = path_join(sub, "output.jsonl");
	assert_int_equal(atomic_write(f1, "{\"id\":\"b1\"}\n", 12, 0644, &e), 0);
	assert_int_equal(atomic_write(f2, "line1\nline2\n", 12, 0644, &e), 0);
	char *out = path_join(dir, "b1.tar.gz");
	assert_int_equal(archive_dir(src, "b1", out, &e), 0);
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	assert_int_equal(archive_read_open_filename(a, out, 10240), ARCHIVE_OK);
	struct archive_entry *en;
	int seen = 0;
	while (archive_read_next_header(a, &en) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(en);
		char buf[64] = "";
		la_ssize_t r = archive_read_data(a, buf, sizeof buf - 1);
		assert_true(r >= 0);
		if (!strcmp(name, "b1/batch.json")) {
			assert_string_equal(buf, "{\"id\":\"b1\"}\n");
			seen |= 1;
		} else if (!strcmp(name, "b1/sub/output.jsonl")) {
			assert_string_equal(buf, "line1\nline2\n");
			seen |= 2;
		}
	}
	archive_read_free(a);
	assert_int_equal(seen, 3);
	/* an unreadable source fails and leaves no output */
	char *out2 = path_join(dir, "none.tar.gz"), *missing = path_join(dir, "nope");
	assert_int_equal(archive_dir(missing, "x", out2, &e), -1);
	assert_false(file_exists(out2));
	sh("rm -rf '%s'", dir);
	free(src); free(sub); free(f1); free(f2); free(out); free(out2); free(missing);
}

static void test_report_run(void **st)
{
	(void)st;
	run_report r = { .sent = 10, .succeeded = 8, .repaired = 2, .retried = 3, .failed = 1,
			 .skipped = 1, .est_cost = 0.5, .actual_cost = 0.25, .seconds = 3 };
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	report_run(&r, false, 5 /* SB_EXIT_PARTIAL */, true, m);
	fclose(m);
	json_object *o = json_tokener_parse(buf), *v;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "succeeded", &v));
	assert_int_equal(json_object_get_int(v), 8);
	assert_true(json_object_object_get_ex(o, "actual_cost", &v));
	assert_true(json_object_get_double(v) == 0.25);
	assert_true(json_object_object_get_ex(o, "interrupted", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "exit_code", &v));
	assert_int_equal(json_object_get_int(v), 5 /* SB_EXIT_PARTIAL */);
	json_object_put(o);
	free(buf);
	/* text: a row per count with its share of the 10 decided items */
	buf = NULL;
	m = open_memstream(&buf, &len);
	report_run(&r, false, 5 /* SB_EXIT_PARTIAL */, false, m);
	fclose(m);
	assert_non_null(strstr(buf, "Summary (3s)\n"));
	assert_non_null(strstr(buf, "  Succeeded                        8   80.0%\n"));
	assert_non_null(strstr(buf, "  Failed                           1   10.0%\n"));
	assert_non_null(strstr(buf, "Cost: estimated $0.5000, actual $0.2500\n"));
	assert_non_null(strstr(buf, "Some items failed"));
	free(buf);
	/* interrupted: says so */
	buf = NULL;
	m = open_memstream(&buf, &len);
	report_run(&r, true, 130, false, m);
	fclose(m);
	assert_non_null(strstr(buf, "Interrupted: partial summary (3s)\n"));
	free(buf);
}

/* ---- end to end ---- */

static void test_e2e_basic(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "4", "alternatives", "bw,sharpen", NULL };
	lib_open(&L, 6, NULL, kv);
	describe_all(&L);
	describe(&L, L.missing);
	describe(&L, L.video);
	sb_err e = { 0 };
	engine_seal_now(L.en, &e);
	run_report rep;
	assert_int_equal(run(&L, PH_ALL, 60, &rep), 0);
	/* a second run sends and completes the alternatives' text-only batch */
	assert_int_equal(run(&L, PH_ALL, 60, &rep), 0);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, L.nphotos);
	assert_int_equal(state_of(&L, L.missing, NULL), FS_FILE_NOT_FOUND);
	assert_int_equal(state_of(&L, L.video, NULL), FS_SAVED_TO_CSV);
	check_rows_as_rules(&L);
	const char *touched[] = { "IMG_0001", "IMG_0002", "IMG_0003", "IMG_0004", "IMG_0005",
				  "IMG_0006", "VID_0001" };
	check_untouched_identical(&L, touched, 7);
	/* the _bw edit got its row and went through its own batch */
	mediacsv *m;
	assert_int_equal(mediacsv_load(L.cfg.media_csv, &m, &e), 0);
	long r = mediacsv_find(m, L.alt);
	assert_true(r >= 0);
	assert_string_equal(mediacsv_field(m, (size_t)r, MC_ORIGINAL), "ne");
	assert_true(strlen(mediacsv_field(m, (size_t)r, MC_NAZEV)) > 0);
	assert_int_equal(state_of(&L, L.alt, NULL), FS_SAVED_TO_CSV);
	mediacsv_free(m);
	/* nothing created twice */
	assert_int_equal(max_custom_id_count(&L), 1);
	/* report.json written after completion */
	batch_info *bs;
	size_t nb = store_list(L.st, &bs);
	for (size_t i = 0; i < nb; i++) {
		char *p = store_batch_path(L.st, bs[i].id, "report.json");
		assert_true(file_exists(p));
		free(p);
	}
	free(bs);
	lib_close(&L);
}

static void run_fault(const char *const *fargs, size_t *saved, size_t *dead)
{
	static lib L;
	const char *kv[] = { "batch_size", "5", NULL };
	lib_open(&L, 10, fargs, kv);
	describe_all(&L);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	check_all_resolved(&L, saved, dead);
	/* dead letters carry the reason and the raw line */
	if (*dead) {
		batch_info *bs;
		size_t nb = store_list(L.st, &bs), lines = 0;
		for (size_t i = 0; i < nb; i++) {
			char *p = store_batch_path(L.st, bs[i].id, "deadletter.jsonl"), *d;
			size_t len;
			sb_err e = { 0 };
			if (read_whole_file(p, &d, &len, &e) == 0) {
				for (char *q = d; (q = strchr(q, '\n')); q++)
					lines++;
				assert_non_null(strstr(d, "\"reason\""));
				free(d);
			}
			free(p);
		}
		free(bs);
		assert_true(lines >= *dead);
	}
	lib_close(&L);
}

static void test_line_errors_and_bad_json(void **st)
{
	(void)st;
	const char *a[] = { "--step", "0.05", "--seed", "7", "--fault", "line_errors=0.3", "--fault",
			    "bad_json=0.3", NULL };
	size_t saved, dead;
	run_fault(a, &saved, &dead);
	assert_int_equal(saved + dead, 10);
	assert_true(saved > 0);
}

static void test_expiry_partial(void **st)
{
	(void)st;
	const char *a[] = { "--step", "0.05", "--fault", "expire=0.5", NULL };
	size_t saved, dead;
	run_fault(a, &saved, &dead);
	/* the missing half was retried live */
	assert_int_equal(saved, 10);
}

static void test_429_storm(void **st)
{
	(void)st;
	const char *a[] = { "--step", "0.05", "--fault", "429=12:0.02", NULL };
	size_t saved, dead;
	run_fault(a, &saved, &dead);
	assert_int_equal(saved, 10);
}

static void test_validation_failure(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", NULL };
	const char *a[] = { "--step", "0.05", "--fault", "validation", NULL };
	lib_open(&L, 4, a, kv);
	describe_all(&L);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	batch_info *bs;
	size_t nb = orig_batches(&L, &bs);
	assert_int_equal(nb, 1);
	assert_int_equal(bs[0].state, BS_FAILED);
	assert_non_null(strstr(bs[0].note, "line"));
	free(bs);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead); /* the live retries saved them */
	assert_int_equal(saved, 4);
	lib_close(&L);
}

static void test_cancel_midway(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", NULL };
	const char *a[] = { "--step", "0.3", "--fault", "cancel_keep=0.5", NULL };
	lib_open(&L, 10, a, kv);
	describe_all(&L);
	assert_int_equal(run(&L, PH_ALL, 0, NULL), 0);
	batch_info *bs;
	size_t nb = orig_batches(&L, &bs);
	assert_int_equal(nb, 1);
	assert_int_equal(bs[0].state, BS_SENT);
	sb_err e = { 0 };
	assert_int_equal(engine_cancel(L.en, bs[0].id, &e), 0);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	batch_info b;
	assert_int_equal(store_get(L.st, bs[0].id, &b), 0);
	assert_int_equal(b.state, BS_CANCELLED);
	free(bs);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved + dead, 10);
	assert_true(dead > 0);
	/* retry-failed puts the dead ones into a new batch that completes */
	size_t n = 0;
	assert_int_equal(engine_retry_failed(L.en, &n, &e), 0);
	assert_int_equal(n, dead);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, 10);
	lib_close(&L);
}

static void test_csv_edited_while_out(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", NULL };
	const char *a[] = { "--step", "0.2", NULL };
	lib_open(&L, 4, a, kv);
	describe_all(&L);
	assert_int_equal(run(&L, PH_ALL, 0, NULL), 0);
	/* someone edits: the prepared row's title, a new row, columns reordered */
	sh("\"${PYTHON3:-python3}\" - '%s' <<'EOF'\n"
	   "import csv, sys\n"
	   "p = sys.argv[1]\n"
	   "rows = list(csv.reader(open(p, encoding='utf-8-sig', newline='')))\n"
	   "h = rows[0]\n"
	   "t = h.index('Název')\n"
	   "for r in rows[1:]:\n"
	   "    if r[h.index('Soubor')] == 'IMG_0050.jpg': r[t] = 'Edited by hand'\n"
	   "new = list(rows[1]); new[h.index('Soubor')] = 'NEW_1.jpg'; new[h.index('Cesta')] = '/nowhere/NEW_1.jpg'\n"
	   "rows.append(new)\n"
	   "order = [h.index('Cesta')] + [i for i in range(len(h)) if h[i] != 'Cesta']\n"
	   "with open(p, 'w', encoding='utf-8-sig', newline='') as f:\n"
	   "    w = csv.writer(f)\n"
	   "    for r in rows: w.writerow([r[i] for i in order])\n"
	   "EOF",
	   L.cfg.media_csv);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, 4);
	sb_err e = { 0 };
	mediacsv *m;
	assert_int_equal(mediacsv_load(L.cfg.media_csv, &m, &e), 0);
	assert_string_equal(mediacsv_colname(m, 0), MC_CESTA);
	assert_true(mediacsv_find(m, "/nowhere/NEW_1.jpg") >= 0);
	assert_string_equal(mediacsv_field(m, (size_t)mediacsv_find(m, L.prepared), MC_NAZEV),
			    "Edited by hand");
	for (size_t i = 0; i < L.nphotos; i++) {
		long r = mediacsv_find(m, L.photos[i]);
		assert_true(r >= 0);
		assert_true(strlen(mediacsv_field(m, (size_t)r, MC_NAZEV)) > 0);
		assert_string_equal(mediacsv_field(m, (size_t)r, "ShutterStock status"), MC_ST_PREPARED);
	}
	mediacsv_free(m);
	lib_close(&L);
}

static void test_pause_resume(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", NULL };
	lib_open(&L, 3, NULL, kv);
	describe_all(&L);
	batch_info *bs;
	assert_int_equal(orig_batches(&L, &bs), 1);
	char id[40];
	snprintf(id, sizeof id, "%s", bs[0].id);
	free(bs);
	sb_err e = { 0 };
	assert_int_equal(engine_pause(L.en, id, &e), 0);
	assert_int_equal(run(&L, PH_ALL, 0, NULL), 0);
	assert_int_equal(fake_stat(&L.fake, "batches_created"), 0); /* paused: not sent */
	assert_int_equal(engine_resume(L.en, id, &e), 0);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, 3);
	/* the text report names the batch and its counts */
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	assert_int_equal(report_batch(L.st, id, false, mf), 0);
	fclose(mf);
	assert_non_null(strstr(buf, id));
	assert_non_null(strstr(buf, "100.0%"));
	free(buf);
	lib_close(&L);
}

/* The Gemini provider end to end (file upload, batch, inline or file results). */
static void test_gemini(void **st)
{
	(void)st;
	static lib L;
	setenv("GEMINI_API_KEY", "gm-test-fake", 1);
	const char *kv[] = { "batch_size", "10", "provider", "gemini", NULL };
	lib_open(&L, 3, NULL, kv);
	sb_err e = { 0 };
	assert_int_equal(settings_set(&L.cfg, "gemini_base_url", L.fake.url, "test", &e), 0);
	/* reopen the engine on the Gemini URL */
	engine_close(L.en);
	assert_int_equal(engine_open(&L.cfg, L.st, &L.en, &e), 0);
	describe_all(&L);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, 3);
	assert_int_equal(max_custom_id_count(&L), 1);
	lib_close(&L);
}

/* A corrupt JPEG: an error with the reason, the run goes on (seed 000 #29). */
static void test_corrupt_jpeg(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", NULL };
	lib_open(&L, 3, NULL, kv);
	sb_err e = { 0 };
	assert_int_equal(atomic_write(L.photos[1], "this is not a JPEG", 18, 0644, &e), 0);
	describe_all(&L);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	char *why;
	assert_int_equal(state_of(&L, L.photos[1], &why), FS_ERROR);
	assert_non_null(why);
	assert_non_null(strstr(why, "IMG_0002.jpg"));
	free(why);
	/* the report lists it with its reason */
	batch_info *bs;
	assert_int_equal(orig_batches(&L, &bs), 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	assert_int_equal(report_batch(L.st, bs[0].id, true, mf), 0);
	fclose(mf);
	free(bs);
	json_object *o = json_tokener_parse(buf), *a;
	assert_true(json_object_object_get_ex(o, "batches", &a));
	assert_true(json_object_object_get_ex(json_object_array_get_idx(a, 0), "failures", &a));
	assert_int_equal(json_object_array_length(a), 1);
	assert_non_null(strstr(json_object_to_json_string(a), "IMG_0002.jpg"));
	json_object_put(o);
	free(buf);
	assert_int_equal(state_of(&L, L.photos[0], NULL), FS_SAVED_TO_CSV);
	assert_int_equal(state_of(&L, L.photos[2], NULL), FS_SAVED_TO_CSV);
	lib_close(&L);
}

/* Budget cap: refused with the amount over, the batch stays ready;
 * then archive (phase 0) and export of a completed batch. */
static void test_budget_archive_export(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", "budget", "0.0000001", "archive_days", "1", NULL };
	lib_open(&L, 3, NULL, kv);
	describe_all(&L);
	sb_err e = { 0 };
	run_report rep;
	assert_int_equal(engine_run(L.en, PH_ALL, 0, &rep, &e), -1);
	assert_int_equal(e.code, SBE_BUDGET);
	assert_non_null(strstr(e.msg, "over the budget cap"));
	batch_info *bs;
	assert_int_equal(orig_batches(&L, &bs), 1);
	char id[40];
	snprintf(id, sizeof id, "%s", bs[0].id);
	free(bs);
	batch_info b;
	assert_int_equal(store_get(L.st, id, &b), 0);
	assert_int_equal(b.state, BS_READY);
	assert_int_equal(fake_stat(&L.fake, "batches_created"), 0);
	/* no cap: it goes and completes */
	L.cfg.budget = 0;
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	assert_int_equal(store_get(L.st, id, &b), 0);
	assert_int_equal(b.state, BS_COMPLETED);
	/* export: a tar.gz holding the batch's state and results */
	char *out = path_join(L.dir, "export.tar.gz");
	assert_int_equal(archive_export(L.st, id, out, &e), 0);
	sh("tar tzf '%s' | grep -q '%s/output.jsonl'", out, id);
	free(out);
	/* completed two days ago: phase 0 packs it and removes the folder */
	b.completed = time(NULL) - 2 * 86400;
	assert_int_equal(store_update(L.st, &b, &e), 0);
	assert_int_equal(run(&L, PH_RECOVER, 0, NULL), 0);
	char *arc = xasprintf("%s/archive/%s.tar.gz", store_path(L.st), id);
	assert_true(file_exists(arc));
	sh("tar tzf '%s' | grep -q '%s/report.json'", arc, id);
	free(arc);
	assert_int_equal(store_get(L.st, id, &b), -1);
	char *dir = store_batch_path(L.st, id, NULL);
	assert_false(file_exists(dir));
	free(dir);
	lib_close(&L);
}

/* A UI that does not read for a while: the worker's queue keeps its size
 * by dropping progress and log lines, never an error (it used to drop the
 * oldest message of any kind, so the error went first). */
static void test_worker_full_queue(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "poll_interval", "3600", NULL };
	lib_open(&L, 1, NULL, kv);
	worker *w;
	sb_err e = { 0 };
	assert_int_equal(worker_start(L.en, &w, &e), 0);
	/* the first run, up to its cost line; then the worker waits an hour */
	bool ran = false;
	for (int spins = 0; spins < 600 && !ran; spins++) {
		struct pollfd pfd = { .fd = worker_fd(w), .events = POLLIN };
		poll(&pfd, 1, 100);
		wmsg m;
		while (worker_next(w, &m))
			ran |= m.kind == WM_COST;
	}
	assert_true(ran);
	sb_log(LOG_ERROR, "the error to keep");
	for (int i = 0; i < 3000; i++)
		sb_log(LOG_INFO, "line %d", i);
	int errors = 0, lines = 0;
	wmsg m;
	while (worker_next(w, &m)) {
		errors += m.kind == WM_LOG && m.level == LOG_ERROR && strstr(m.text, "the error to keep");
		lines += m.kind == WM_LOG && m.level == LOG_INFO;
	}
	worker_stop(w);
	assert_int_equal(errors, 1);
	assert_true(lines > 0 && lines < 3000); /* bounded: the oldest lines went */
}

/* The worker: phases in a pthread, messages through the pipe, commands. */
static void test_worker(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", NULL };
	lib_open(&L, 3, NULL, kv);
	describe_all(&L);
	/* one more description waits in a collecting batch for "send now" */
	describe(&L, L.video);
	worker *w;
	sb_err e = { 0 };
	assert_int_equal(worker_start(L.en, &w, &e), 0);
	int logs = 0, batches = 0, costs = 0, progress = 0;
	bool sent_now = false;
	for (int spins = 0; spins < 600; spins++) {
		struct pollfd pfd = { .fd = worker_fd(w), .events = POLLIN };
		poll(&pfd, 1, 100);
		wmsg m;
		while (worker_next(w, &m)) {
			logs += m.kind == WM_LOG;
			batches += m.kind == WM_BATCHES;
			costs += m.kind == WM_COST;
			progress += m.kind == WM_PROGRESS;
			assert_true(m.kind != WM_ERROR);
		}
		if (!sent_now && state_of(&L, L.photos[0], NULL) == FS_SAVED_TO_CSV) {
			worker_command(w, WC_SEND_NOW, NULL);
			worker_command(w, WC_POLL_NOW, NULL);
			sent_now = true;
		}
		if (sent_now && state_of(&L, L.video, NULL) == FS_SAVED_TO_CSV)
			break;
	}
	worker_stop(w);
	/* it waited between polls, on the monotonic clock */
	assert_true(atomic_load(&timed_waits) > 0);
	assert_int_equal(atomic_load(&realtime_deadlines), 0);
	assert_int_equal(state_of(&L, L.video, NULL), FS_SAVED_TO_CSV);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, 3);
	assert_true(logs > 0);
	assert_true(batches > 0);
	assert_true(costs > 0);
	lib_close(&L);
}

/* A reject as the TUI stores it (tui/collect.c): an FS_REJECTED entry in
 * the collecting batch, with the row's fingerprint. */
static void reject(lib *L, const char *cesta)
{
	sb_err e = { 0 };
	mediacsv *m;
	assert_int_equal(mediacsv_load(L->cfg.media_csv, &m, &e), 0);
	long row = mediacsv_find(m, cesta);
	assert_true(row >= 0);
	batch_info b;
	assert_int_equal(store_collecting(L->st, "originals", L->cfg.provider, L->cfg.model, &b, &e), 0);
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = (char *)"";
	f.state = FS_REJECTED;
	mediacsv_fingerprint(m, (size_t)row, f.fingerprint);
	if (store_add_file(L->st, b.id, &f, &e) < 0)
		fail_msg("store_add_file: %s", e.msg);
	mediacsv_free(m);
}

/* Count of a row's columns holding exactly val. */
static size_t row_count(lib *L, const char *cesta, const char *val, char **datum)
{
	sb_err e = { 0 };
	mediacsv *m;
	assert_int_equal(mediacsv_load(L->cfg.media_csv, &m, &e), 0);
	long r = mediacsv_find(m, cesta);
	assert_true(r >= 0);
	size_t k = 0;
	for (size_t c = 0; c < mediacsv_cols(m); c++)
		k += strcmp(mediacsv_get(m, (size_t)r, (int)c), val) == 0;
	if (datum)
		*datum = xstrdup(mediacsv_field(m, (size_t)r, MC_DATUM_PRIPRAVY));
	mediacsv_free(m);
	return k;
}

/* Rejects reach the CSV (every nezpracováno -> zamítnuto, Datum přípravy
 * set), once, and are never sent to the provider. */
static void test_rejects(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", NULL };
	lib_open(&L, 4, NULL, kv);
	size_t unproc = row_count(&L, L.photos[1], MC_ST_UNPROCESSED, NULL);
	assert_true(unproc > 0);
	describe(&L, L.photos[0]);
	reject(&L, L.photos[1]);
	describe(&L, L.photos[2]);
	reject(&L, L.photos[3]);
	sb_err e = { 0 };
	assert_int_equal(engine_seal_now(L.en, &e), 0);
	run_report rep;
	assert_int_equal(run(&L, PH_ALL, 60, &rep), 0);
	char *datum;
	assert_int_equal(row_count(&L, L.photos[1], MC_ST_UNPROCESSED, &datum), 0);
	assert_int_equal(row_count(&L, L.photos[1], MC_ST_REJECTED, NULL), unproc);
	assert_true(strlen(datum) > 0);
	free(datum);
	assert_int_equal(row_count(&L, L.photos[3], MC_ST_REJECTED, NULL), unproc);
	assert_int_equal(state_of(&L, L.photos[0], NULL), FS_SAVED_TO_CSV);
	assert_int_equal(state_of(&L, L.photos[2], NULL), FS_SAVED_TO_CSV);
	char *why;
	assert_int_equal(state_of(&L, L.photos[1], &why), FS_REJECTED);
	assert_non_null(why);
	free(why);
	/* only the two described photos went out */
	batch_info *bs;
	size_t nb = orig_batches(&L, &bs);
	assert_int_equal(nb, 1);
	char *reqp = store_batch_path(L.st, bs[0].id, "requests.jsonl"), *data;
	size_t len;
	assert_int_equal(read_whole_file(reqp, &data, &len, &e), 0);
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	assert_int_equal(lines, 2);
	assert_non_null(strstr(L.photos[1], "IMG_0002"));
	assert_null(strstr(data, "IMG_0002"));
	free(data);
	free(reqp);
	free(bs);
	/* a rejected photo arriving later is committed by the next run; the
	 * ones done are not written again (the CSV is left alone) */
	char *before;
	size_t blen;
	assert_int_equal(read_whole_file(L.cfg.media_csv, &before, &blen, &e), 0);
	assert_int_equal(run(&L, PH_ALL, 0, &rep), 0);
	assert_int_equal(rep.committed, 0);
	char *after;
	size_t alen;
	assert_int_equal(read_whole_file(L.cfg.media_csv, &after, &alen, &e), 0);
	assert_true(blen == alen && memcmp(before, after, blen) == 0);
	free(before);
	free(after);
	lib_close(&L);
}

/* Two IMG_0001.jpg from different folders in one batch: distinct custom
 * ids (OpenAI fails a batch with a duplicate), both committed. */
static void test_same_names(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", "alternatives", "", NULL };
	lib_open(&L, 3, NULL, kv);
	/* a copy of the first photo in another folder, with its own row */
	const char *p0 = L.photos[0];
	const char *slash = strrchr(p0, '/');
	assert_non_null(slash);
	char *dir2 = xasprintf("%.*s/Jiné", (int)(slash - p0), p0);
	char *copy = xasprintf("%s%s", dir2, slash);
	char *src = settings_map_path(&L.cfg, p0), *dst = settings_map_path(&L.cfg, copy);
	char *dstdir = path_dirname(dst);
	sh("mkdir -p '%s' && cp '%s' '%s'", dstdir, src, dst);
	sb_err e = { 0 };
	mediacsv *m;
	assert_int_equal(mediacsv_load(L.cfg.media_csv, &m, &e), 0);
	long r = mediacsv_find(m, p0);
	assert_true(r >= 0);
	size_t nc = mediacsv_cols(m);
	const char **fv = xcalloc(nc, sizeof *fv);
	for (size_t c = 0; c < nc; c++)
		fv[c] = xstrdup(mediacsv_get(m, (size_t)r, (int)c));
	int cc = mediacsv_col(m, MC_CESTA);
	assert_true(cc >= 0);
	free((char *)fv[cc]);
	fv[cc] = xstrdup(copy);
	mediacsv_add_row(m, fv);
	assert_int_equal(mediacsv_save(m, L.cfg.media_csv, &e), 0);
	for (size_t c = 0; c < nc; c++)
		free((char *)fv[c]);
	free(fv);
	mediacsv_free(m);

	describe(&L, p0);
	describe(&L, copy);
	describe(&L, L.photos[1]);
	assert_int_equal(engine_seal_now(L.en, &e), 0);
	run_report rep;
	assert_int_equal(run(&L, PH_ALL, 60, &rep), 0);
	assert_int_equal(state_of(&L, p0, NULL), FS_SAVED_TO_CSV);
	assert_int_equal(state_of(&L, copy, NULL), FS_SAVED_TO_CSV);
	assert_int_equal(state_of(&L, L.photos[1], NULL), FS_SAVED_TO_CSV);
	assert_int_equal(rep.committed, 3);
	assert_int_equal(max_custom_id_count(&L), 1);
	/* the ids kept in the store are distinct */
	batch_info *bs;
	size_t nb = orig_batches(&L, &bs);
	assert_int_equal(nb, 1);
	file_entry *fs;
	size_t nf;
	assert_int_equal(store_files(L.st, bs[0].id, &fs, &nf), 0);
	assert_int_equal(nf, 3);
	for (size_t i = 0; i < nf; i++)
		for (size_t j = i + 1; j < nf; j++)
			assert_string_not_equal(fs[i].custom_id, fs[j].custom_id);
	file_entries_free(fs, nf);
	free(bs);
	free(dir2);
	free(copy);
	free(src);
	free(dst);
	free(dstdir);
	lib_close(&L);
}

/* A batch bigger than one provider batch allows (a test limit of 3
 * requests) is split into batches of ours and all of it is sent: none is
 * paused, every photo committed, each custom id sent once. */
static void test_split(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "20", "alternatives", "", NULL };
	lib_open(&L, 7, NULL, kv);
	engine_test_set_limits(L.en, 3, 0, 0);
	describe_all(&L);
	run_report rep;
	assert_int_equal(run(&L, PH_ALL, 60, &rep), 0);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, 7);
	assert_int_equal(dead, 0);
	assert_int_equal(rep.batches_sent, 3);
	assert_int_equal(fake_stat(&L.fake, "batches_created"), 3);
	assert_int_equal(max_custom_id_count(&L), 1);
	batch_info *bs;
	size_t nb = orig_batches(&L, &bs);
	assert_int_equal(nb, 3);
	size_t files = 0;
	for (size_t i = 0; i < nb; i++) {
		assert_int_equal(bs[i].state, BS_COMPLETED);
		assert_true(bs[i].nfiles <= 3);
		files += bs[i].nfiles;
		char *sp = store_batch_path(L.st, bs[i].id, "split.jsonl");
		assert_false(file_exists(sp));
		free(sp);
	}
	assert_int_equal(files, 7);
	free(bs);
	check_rows_as_rules(&L);
	lib_close(&L);
}

/* A split interrupted between "removed from the source" and "added to the
 * target": the plan left in split.jsonl puts the file where it belongs
 * on the next run, and it is committed. */
static void test_split_crash(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "20", "alternatives", "", NULL };
	lib_open(&L, 3, NULL, kv);
	describe_all(&L);
	sb_err e = { 0 };
	batch_info *bs;
	assert_int_equal(orig_batches(&L, &bs), 1);
	char src[40];
	snprintf(src, sizeof src, "%s", bs[0].id);
	free(bs);
	batch_info t;
	assert_int_equal(store_new_batch(L.st, "originals", L.cfg.provider, L.cfg.model, BS_READY, &t, &e), 0);
	assert_int_equal(t.state, BS_READY);
	file_entry f;
	memset(&f, 0, sizeof f);
	assert_int_equal(store_file_get(L.st, src, L.photos[2], &f), 0);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "to", json_object_new_string(t.id));
	json_object_object_add(o, "cesta", json_object_new_string(f.cesta));
	json_object_object_add(o, "description", json_object_new_string(f.description));
	json_object_object_add(o, "state", json_object_new_string("description_saved"));
	json_object_object_add(o, "fingerprint", json_object_new_string(f.fingerprint));
	char *line = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	char *sp = store_batch_path(L.st, src, "split.jsonl");
	assert_int_equal(atomic_write(sp, line, strlen(line), 0600, &e), 0);
	free(line);
	assert_int_equal(store_remove_file(L.st, src, L.photos[2], &e), 0);
	file_entries_free(&f, 1);
	char held[40];
	assert_false(store_file_batch(L.st, L.photos[2], held));
	run_report rep;
	assert_int_equal(run(&L, PH_ALL, 60, &rep), 0);
	assert_false(file_exists(sp));
	free(sp);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, 3);
	memset(&f, 0, sizeof f);
	assert_int_equal(store_file_get(L.st, t.id, L.photos[2], &f), 0);
	assert_int_equal(f.state, FS_SAVED_TO_CSV);
	file_entries_free(&f, 1);
	lib_close(&L);
}

/* live = true: phase 2 sends through the live endpoints; the rows are
 * committed in the same run and no provider batch is ever created. */
static void test_live(void **st)
{
	(void)st;
	static lib L;
	const char *kv[] = { "batch_size", "10", "alternatives", "", "live", "true", NULL };
	lib_open(&L, 4, NULL, kv);
	assert_true(L.cfg.live);
	describe_all(&L);
	run_report rep;
	assert_int_equal(run(&L, PH_ALL, 0, &rep), 0);
	size_t saved, dead;
	check_all_resolved(&L, &saved, &dead);
	assert_int_equal(saved, 4);
	assert_int_equal(rep.committed, 4);
	assert_true(rep.actual_cost > 0);
	assert_int_equal(fake_stat(&L.fake, "batches_created"), 0);
	assert_int_equal(fake_stat(&L.fake, "files_uploaded"), 0);
	assert_true(fake_stat(&L.fake, "live_requests") >= 4);
	sb_err e = { 0 };
	mediacsv *m;
	assert_int_equal(mediacsv_load(L.cfg.media_csv, &m, &e), 0);
	for (size_t i = 0; i < L.nphotos; i++) {
		long r = mediacsv_find(m, L.photos[i]);
		assert_true(r >= 0);
		assert_true(strlen(mediacsv_field(m, (size_t)r, MC_NAZEV)) > 0);
		assert_true(strlen(mediacsv_field(m, (size_t)r, MC_KLICOVA)) > 0);
	}
	mediacsv_free(m);
	batch_info *bs;
	assert_int_equal(orig_batches(&L, &bs), 1);
	assert_int_equal(bs[0].state, BS_COMPLETED);
	assert_string_equal(bs[0].provider_batch_id, "");
	free(bs);
	/* nothing left: a second run sends nothing */
	long before = fake_stat(&L.fake, "live_requests");
	assert_int_equal(run(&L, PH_ALL, 0, &rep), 0);
	assert_int_equal(fake_stat(&L.fake, "live_requests"), before);
	lib_close(&L);
}


#define REDO_TEXT "Stará dřevěná chalupa na louce pod kopcem, v pozadí les a modrá obloha v létě."

/* How many custom ids the fake was ever sent. */
static size_t custom_ids_seen(lib *L)
{
	char *s = fake_call_(&L->fake, "/__stats", NULL);
	json_object *o = json_tokener_parse(s), *ids;
	free(s);
	size_t n = json_object_object_get_ex(o, "custom_ids", &ids) ? (size_t)json_object_object_length(ids) : 0;
	json_object_put(o);
	return n;
}

/* A redo (review.h): queued from the review with a corrected description,
 * it survives a kill -9 right after (still queued on restart), a second
 * one for the photo is refused, it is one text-only request, and its
 * answer replaces the row's metadata (committed.jsonl too); the other
 * rows stay byte-identical. */
/* The lines of the CSV that differ from before (a small library's bytes,
 * same line count), each one IMG_0001's or its _bw copy's. */
static size_t redo_lines_changed(lib *L, char *before)
{
	char *after;
	size_t alen;
	sb_err e = { 0 };
	assert_int_equal(read_whole_file(L->cfg.media_csv, &after, &alen, &e), 0);
	size_t nb = 0, na = 0, diff = 0;
	char *bl[16], *al[16], *sv;
	for (char *x = strtok_r(before, "\n", &sv); x && nb < 16; x = strtok_r(NULL, "\n", &sv))
		bl[nb++] = x;
	for (char *x = strtok_r(after, "\n", &sv); x && na < 16; x = strtok_r(NULL, "\n", &sv))
		al[na++] = x;
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		if (strcmp(al[i], bl[i]) != 0) {
			diff++;
			assert_true(strstr(al[i], "IMG_0001.jpg") || strstr(al[i], "IMG_0001_bw.jpg"));
		}
	free(after);
	return diff;
}

/* Two photos described and committed, for the redo tests. */
static void redo_lib(lib *L)
{
	const char *kv[] = { "batch_size", "2", NULL };
	lib_open(L, 2, NULL, kv);
	describe_all(L);
	assert_int_equal(run(L, PH_ALL, 60, NULL), 0);
}

static void test_redo_restart(void **st)
{
	(void)st;
	static lib L;
	redo_lib(&L);
	const char *p0 = L.photos[0];
	assert_int_equal(state_of(&L, p0, NULL), FS_SAVED_TO_CSV);
	char orig_bid[40];
	assert_true(store_file_committed_by(L.st, p0, orig_bid));
	mediacsv *m;
	sb_err e = { 0 };
	assert_int_equal(mediacsv_load(L.cfg.media_csv, &m, &e), 0);
	char *old_title = xstrdup(mediacsv_field(m, (size_t)mediacsv_find(m, p0), MC_NAZEV));
	mediacsv_free(m);
	/* the review shows it, with the photographer's words */
	review *rv;
	assert_int_equal(review_open(&L.cfg, L.st, orig_bid, &rv, &e), 0);
	assert_true(review_count(rv) >= 1);
	const review_item *it = review_get(rv, 0);
	assert_string_equal(it->cesta, p0);
	assert_string_equal(it->title, old_title);
	assert_string_equal(it->user_text, DESC);
	assert_false(it->redo_queued);
	review_close(rv);
	size_t ids_before = custom_ids_seen(&L), blen;
	char *before;
	assert_int_equal(read_whole_file(L.cfg.media_csv, &before, &blen, &e), 0);
	/* the _bw copy of p0 was committed from the first answer */
	assert_non_null(L.alt);
	assert_int_equal(state_of(&L, L.alt, NULL), FS_SAVED_TO_CSV);
	char alt_bid[40];
	assert_true(store_file_committed_by(L.st, L.alt, alt_bid));

	/* queued, then killed at once: a restart finds it queued */
	engine_close(L.en);
	L.en = NULL;
	store_close(L.st);
	L.st = NULL;
	char *sd = xstrdup(L.cfg.state_dir);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		store *cs;
		sb_err ce = { 0 };
		if (store_open(sd, &cs, &ce) < 0 || redo_queue(&L.cfg, cs, p0, REDO_TEXT, &ce) < 0)
			_exit(3);
		raise(SIGKILL);
		_exit(4);
	}
	int wst;
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
	assert_int_equal(store_open(sd, &L.st, &e), 0);
	free(sd);
	char held[40];
	assert_true(store_file_batch(L.st, p0, held));
	batch_info hb;
	assert_int_equal(store_get(L.st, held, &hb), 0);
	assert_string_equal(hb.kind, REDO_KIND);
	assert_int_equal(hb.state, BS_READY);
	/* one request per redo: a second one is refused while it is queued */
	sb_err e2 = { 0 };
	assert_int_equal(redo_queue(&L.cfg, L.st, p0, REDO_TEXT " Znovu.", &e2), -1);
	assert_int_equal(e2.code, SBE_CONFLICT);
	assert_int_equal(review_open(&L.cfg, L.st, orig_bid, &rv, &e), 0);
	it = review_get(rv, 0);
	assert_true(it->redo_queued);
	assert_string_equal(it->user_text, REDO_TEXT);
	review_close(rv);

	if (engine_open(&L.cfg, L.st, &L.en, &e) < 0)
		fail_msg("engine_open: %s", e.msg);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	/* the copy is asked again from the new answer: its text-only batch */
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	assert_int_equal(run(&L, PH_ALL, 5, NULL), 0); /* nothing more goes out */
	assert_int_equal(custom_ids_seen(&L), ids_before + 2);
	assert_int_equal(max_custom_id_count(&L), 1);
	/* text-only: the request carries no image */
	char *reqp = store_batch_path(L.st, held, "requests.jsonl"), *req;
	size_t rl;
	assert_int_equal(read_whole_file(reqp, &req, &rl, &e), 0);
	assert_null(strstr(req, "image_url"));
	assert_non_null(strstr(req, "EARLIER"));
	free(req);
	free(reqp);
	/* the answer replaced the row; committed.jsonl of the redo says so */
	assert_int_equal(mediacsv_load(L.cfg.media_csv, &m, &e), 0);
	const char *t = mediacsv_field(m, (size_t)mediacsv_find(m, p0), MC_NAZEV);
	assert_string_not_equal(t, old_title);
	assert_non_null(strstr(t, "cottage"));
	mediacsv_free(m);
	/* and its edited copy asked again from the new answer, committed by a
	 * batch of its own */
	char alt_bid2[40];
	assert_true(store_file_committed_by(L.st, L.alt, alt_bid2));
	assert_string_not_equal(alt_bid2, alt_bid);
	assert_int_equal(state_of(&L, L.alt, NULL), FS_SAVED_TO_CSV);
	char *areqp = store_batch_path(L.st, alt_bid2, "requests.jsonl"), *areq;
	assert_int_equal(read_whole_file(areqp, &areq, &rl, &e), 0);
	assert_non_null(strstr(areq, "cottage"));
	free(areq);
	free(areqp);
	char *cj = store_batch_path(L.st, held, "committed.jsonl"), *cjd;
	size_t cjl;
	assert_int_equal(read_whole_file(cj, &cjd, &cjl, &e), 0);
	assert_non_null(strstr(cjd, "IMG_0001"));
	free(cjd);
	free(cj);
	assert_false(store_file_batch(L.st, p0, held));
	const char *touched[] = { "IMG_0001", "IMG_0002" };
	check_untouched_identical(&L, touched, 2);
	/* byte-exact: the redo changed the lines of its photo and its copy and
	 * no other; the copy's line only if the fake's text-only answer differs */
	size_t diff = redo_lines_changed(&L, before);
	assert_true(diff >= 1 && diff <= 2);
	free(before);
	free(old_title);
	lib_close(&L);
}

/* A redo of an original whose edited copy's row was edited by hand since
 * its commit: the copy is not asked again, and the hand edit stays. */
static void test_redo_copy_edited(void **st)
{
	(void)st;
	static lib L;
	redo_lib(&L);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	const char *p0 = L.photos[0];
	assert_int_equal(state_of(&L, L.alt, NULL), FS_SAVED_TO_CSV);
	char alt_bid[40], alt_bid2[40];
	assert_true(store_file_committed_by(L.st, L.alt, alt_bid));
	sh("\"${PYTHON3:-python3}\" - '%s' <<'EOF'\n"
	   "import csv, sys\n"
	   "p = sys.argv[1]\n"
	   "rows = list(csv.reader(open(p, encoding='utf-8-sig', newline='')))\n"
	   "h = rows[0]\n"
	   "for r in rows[1:]:\n"
	   "    if r[h.index('Soubor')] == 'IMG_0001_bw.jpg': r[h.index('Název')] = 'Black and white by hand'\n"
	   "with open(p, 'w', encoding='utf-8-sig', newline='') as f:\n"
	   "    w = csv.writer(f)\n"
	   "    for r in rows: w.writerow(r)\n"
	   "EOF",
	   L.cfg.media_csv);
	sb_err e = { 0 };
	assert_int_equal(redo_queue(&L.cfg, L.st, p0, REDO_TEXT, &e), 0);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	assert_int_equal(run(&L, PH_ALL, 60, NULL), 0);
	mediacsv *m;
	assert_int_equal(mediacsv_load(L.cfg.media_csv, &m, &e), 0);
	assert_non_null(strstr(mediacsv_field(m, (size_t)mediacsv_find(m, p0), MC_NAZEV), "cottage"));
	assert_string_equal(mediacsv_field(m, (size_t)mediacsv_find(m, L.alt), MC_NAZEV),
			    "Black and white by hand");
	mediacsv_free(m);
	assert_true(store_file_committed_by(L.st, L.alt, alt_bid2));
	assert_string_equal(alt_bid2, alt_bid);
	lib_close(&L);
}

static int setup(void **st)
{
	(void)st;
	http_global_init();
	http_set_backoff_base(0.01);
	http_set_timeouts(5, 10);
	log_set_stderr(getenv("SB_VERBOSE") ? LOG_DEBUG : LOG_ERROR + 1);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	if (cur_lib)
		lib_close(cur_lib);
	return 0;
}

int main(void)
{
	if (!getenv("top_srcdir"))
		setenv("top_srcdir", "..", 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alt_cesta),
		cmocka_unit_test(test_archive_dir),
		cmocka_unit_test(test_report_run),
		cmocka_unit_test_teardown(test_e2e_basic, teardown),
		cmocka_unit_test_teardown(test_line_errors_and_bad_json, teardown),
		cmocka_unit_test_teardown(test_expiry_partial, teardown),
		cmocka_unit_test_teardown(test_429_storm, teardown),
		cmocka_unit_test_teardown(test_validation_failure, teardown),
		cmocka_unit_test_teardown(test_cancel_midway, teardown),
		cmocka_unit_test_teardown(test_csv_edited_while_out, teardown),
		cmocka_unit_test_teardown(test_pause_resume, teardown),
		cmocka_unit_test_teardown(test_corrupt_jpeg, teardown),
		cmocka_unit_test_teardown(test_gemini, teardown),
		cmocka_unit_test_teardown(test_budget_archive_export, teardown),
		cmocka_unit_test_teardown(test_worker, teardown),
		cmocka_unit_test_teardown(test_worker_full_queue, teardown),
		cmocka_unit_test_teardown(test_rejects, teardown),
		cmocka_unit_test_teardown(test_same_names, teardown),
		cmocka_unit_test_teardown(test_split, teardown),
		cmocka_unit_test_teardown(test_split_crash, teardown),
		cmocka_unit_test_teardown(test_live, teardown),
		cmocka_unit_test_teardown(test_redo_restart, teardown),
		cmocka_unit_test_teardown(test_redo_copy_edited, teardown),
	};
	if (getenv("SB_TEST"))
		cmocka_set_test_filter(getenv("SB_TEST"));
	return cmocka_run_group_tests(tests, setup, NULL);
}

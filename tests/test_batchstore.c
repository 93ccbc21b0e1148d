/* test_batchstore.c: the state store: state machines (exhaustively), files,
 * the registry, crash repair, threads.  kill -9: test_store_crash.c. */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batchstore.h"
#include "lock.h"

static char *mktmp(void)
{
	char *d = xstrdup("/tmp/sbstore.XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static void rmtree(const char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static store *open_ok(const char *dir)
{
	store *s;
	sb_err e;
	sb_err_clear(&e);
	if (store_open(dir, &s, &e) < 0)
		fail_msg("store_open: %s", e.msg);
	return s;
}

static int add(store *s, const char *bid, const char *cesta, const char *desc, file_state st,
	       sb_err *e)
{
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = (char *)cesta;
	f.description = (char *)desc;
	f.state = st;
	return store_add_file(s, bid, &f, e);
}

static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < BS__COUNT; i++) {
		batch_state b;
		assert_int_equal(batch_state_parse(batch_state_name((batch_state)i), &b), 0);
		assert_int_equal(b, i);
	}
	for (int i = 0; i < FS__COUNT; i++) {
		file_state f;
		assert_int_equal(file_state_parse(file_state_name((file_state)i), &f), 0);
		assert_int_equal(f, i);
	}
	batch_state b;
	file_state f;
	assert_int_equal(batch_state_parse("nope", &b), -1);
	assert_int_equal(file_state_parse(NULL, &f), -1);
	assert_string_equal(file_state_name(FS_DESCRIPTION_SAVED), "description_saved");
	assert_string_equal(batch_state_name(BS_COLLECTING), "collecting");
	assert_true(batch_state_active(BS_PAUSED));
	assert_false(batch_state_active(BS_COMPLETED));
}

/* The expected machines, written out independently of the store's tables. */
static const char *const batch_ok[] = {
	"collecting>ready", "collecting>paused", "collecting>cancelled",
	"ready>sent", "ready>paused", "ready>cancelled", "ready>failed", "ready>completed",
	"sent>completed", "sent>failed", "sent>cancelled", "sent>expired", "sent>paused",
	"failed>ready",
	"paused>collecting", "paused>ready", "paused>sent", "paused>cancelled", "paused>failed",
	NULL,
};
static const char *const file_ok[] = {
	"pending>description_saved", "pending>rejected", "pending>skipped", "pending>file_not_found",
	"pending>error", "pending>dead",
	"description_saved>pending", "description_saved>batch_sent", "description_saved>error",
	"description_saved>file_not_found", "description_saved>rejected", "description_saved>skipped",
	"description_saved>dead",
	"batch_sent>batch_completed", "batch_sent>error", "batch_sent>description_saved",
	"batch_sent>file_not_found", "batch_sent>dead",
	"batch_completed>saved_to_csv", "batch_completed>error", "batch_completed>file_not_found",
	"batch_completed>dead",
	"error>description_saved", "error>batch_sent", "error>batch_completed", "error>file_not_found",
	"error>dead",
	"file_not_found>pending", "file_not_found>description_saved", "file_not_found>error",
	"file_not_found>dead",
	"rejected>pending", "skipped>pending", "skipped>description_saved",
	"dead>pending", "dead>description_saved",
	NULL,
};

static bool listed(const char *const *list, const char *from, const char *to)
{
	char k[64];
	snprintf(k, sizeof k, "%s>%s", from, to);
	for (; *list; list++)
		if (!strcmp(*list, k))
			return true;
	return false;
}

/* Drive a fresh batch to state `st` by a legal path. */
static void drive(store *s, const char *id, batch_state st)
{
	static const batch_state paths[BS__COUNT][4] = {
		[BS_COLLECTING] = {BS__COUNT},
		[BS_READY] = {BS_READY, BS__COUNT},
		[BS_SENT] = {BS_READY, BS_SENT, BS__COUNT},
		[BS_COMPLETED] = {BS_READY, BS_SENT, BS_COMPLETED, BS__COUNT},
		[BS_FAILED] = {BS_READY, BS_FAILED, BS__COUNT},
		[BS_CANCELLED] = {BS_CANCELLED, BS__COUNT},
		[BS_EXPIRED] = {BS_READY, BS_SENT, BS_EXPIRED, BS__COUNT},
		[BS_PAUSED] = {BS_READY, BS_SENT, BS_PAUSED, BS__COUNT},
	};
	sb_err e;
	for (int i = 0; paths[st][i] != BS__COUNT; i++)
		if (store_set_state(s, id, paths[st][i], NULL, &e) < 0)
			fail_msg("drive to %s: %s", batch_state_name(st), e.msg);
}

/* Batches made in one second list in the order they were made, after a
 * reopen too (the ids' random part once decided it: a test reading the
 * newest batch off the list saw an older one of the same second). */
static void test_same_second_order(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	enum { N = 40 };
	char ids[N][40];
	for (int i = 0; i < N; i++) {
		char kind[16];
		snprintf(kind, sizeof kind, "o%d", i);
		batch_info b;
		sb_err e;
		assert_int_equal(store_collecting(s, kind, "openai", "m", &b, &e), 0);
		snprintf(ids[i], sizeof ids[i], "%s", b.id);
	}
	store_close(s);
	s = open_ok(dir);
	batch_info *bs;
	size_t n = store_list(s, &bs);
	assert_int_equal(n, N);
	for (int i = 0; i < N; i++)
		assert_string_equal(bs[i].id, ids[i]);
	free(bs);
	store_close(s);
	rmtree(dir);
	free(dir);
}

static void test_batch_machine(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	for (int from = 0; from < BS__COUNT; from++) {
		for (int to = 0; to < BS__COUNT; to++) {
			bool want = listed(batch_ok, batch_state_name((batch_state)from),
					   batch_state_name((batch_state)to));
			assert_int_equal(batch_transition_ok((batch_state)from, (batch_state)to), want);
			if (from == to)
				continue;
			/* each pair on a real batch; a kind of its own so none is reused */
			char kind[32];
			snprintf(kind, sizeof kind, "k%d_%d", from, to);
			batch_info b;
			sb_err e;
			assert_int_equal(store_collecting(s, kind, "openai", "m", &b, &e), 0);
			drive(s, b.id, (batch_state)from);
			/* paused here came from sent: only sent, ready, cancelled, failed */
			bool w = want && (from != BS_PAUSED || to != BS_COLLECTING);
			sb_err_clear(&e);
			int r = store_set_state(s, b.id, (batch_state)to, "x", &e);
			if (r != (w ? 0 : -1))
				fail_msg("%s -> %s: got %d (%s)", batch_state_name((batch_state)from),
					 batch_state_name((batch_state)to), r, e.msg);
			batch_info after;
			assert_int_equal(store_get(s, b.id, &after), 0);
			assert_int_equal(after.state, w ? to : from);
			if (!w) {
				assert_int_equal(e.code, SBE_CONFLICT);
				assert_non_null(strstr(e.msg, b.id));
			}
		}
	}
	/* pause remembers where it was; same-state is a no-op */
	batch_info b;
	sb_err e;
	assert_int_equal(store_collecting(s, "p", "openai", "m", &b, &e), 0);
	assert_int_equal(store_set_state(s, b.id, BS_PAUSED, "why", &e), 0);
	assert_int_equal(store_set_state(s, b.id, BS_PAUSED, "still", &e), 0);
	assert_int_equal(store_get(s, b.id, &b), 0);
	assert_int_equal(b.paused_from, BS_COLLECTING);
	assert_string_equal(b.note, "still");
	assert_int_equal(store_set_state(s, b.id, BS_SENT, NULL, &e), -1);
	store_close(s);
	/* and it survives a reopen */
	s = open_ok(dir);
	assert_int_equal(store_get(s, b.id, &b), 0);
	assert_int_equal(b.state, BS_PAUSED);
	assert_int_equal(b.paused_from, BS_COLLECTING);
	assert_int_equal(store_set_state(s, b.id, BS_COLLECTING, "", &e), 0);
	assert_int_equal(store_set_state(s, "b-nope", BS_READY, NULL, &e), -1);
	assert_int_equal(e.code, SBE_NOTFOUND);
	store_close(s);
	rmtree(dir);
	free(dir);
}

static void test_file_machine(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	batch_info b;
	sb_err e;
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &b, &e), 0);
	int n = 0;
	for (int from = 0; from < FS__COUNT; from++)
		for (int to = 0; to < FS__COUNT; to++) {
			bool want = listed(file_ok, file_state_name((file_state)from),
					   file_state_name((file_state)to));
			assert_int_equal(file_transition_ok((file_state)from, (file_state)to), want);
			if (from == to)
				continue;
			char cesta[64];
			snprintf(cesta, sizeof cesta, "J:\\f\\%d_%d.jpg", from, to);
			assert_int_equal(add(s, b.id, cesta, "desc", (file_state)from, &e), 0);
			sb_err_clear(&e);
			int r = store_file_set_state(s, b.id, cesta, (file_state)to, "r", &e);
			if (r != (want ? 0 : -1))
				fail_msg("%s -> %s: got %d (%s)", file_state_name((file_state)from),
					 file_state_name((file_state)to), r, e.msg);
			file_entry f;
			assert_int_equal(store_file_get(s, b.id, cesta, &f), 0);
			assert_int_equal(f.state, want ? to : from);
			file_entry_clear(&f);
			if (!want) {
				assert_int_equal(e.code, SBE_CONFLICT);
				assert_non_null(strstr(e.msg, cesta));
			}
			n++;
		}
	assert_int_equal(n, FS__COUNT * (FS__COUNT - 1));
	/* counts match a recount, before and after a reopen */
	for (int pass = 0; pass < 2; pass++) {
		batch_info g;
		assert_int_equal(store_get(s, b.id, &g), 0);
		file_entry *fs;
		size_t nf;
		assert_int_equal(store_files(s, b.id, &fs, &nf), 0);
		size_t counts[FS__COUNT] = {0};
		for (size_t i = 0; i < nf; i++)
			counts[fs[i].state]++;
		file_entries_free(fs, nf);
		assert_int_equal(nf, (size_t)n);
		assert_int_equal(g.nfiles, (size_t)n);
		assert_memory_equal(counts, g.counts, sizeof counts);
		store_close(s);
		s = open_ok(dir);
	}
	store_close(s);
	rmtree(dir);
	free(dir);
}

static void test_files(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	batch_info a, a2, g;
	assert_int_equal(store_collecting(s, "originals", "openai", "gpt-4o-mini", &a, &e), 0);
	assert_int_equal(store_collecting(s, "originals", "openai", "gpt-4o-mini", &a2, &e), 0);
	assert_string_equal(a.id, a2.id); /* the same collecting batch */
	assert_int_equal(strlen(a.id), strlen("b20261123-175519-1a2b"));
	assert_int_equal(a.id[0], 'b');
	assert_int_equal(a.id[9], '-');
	assert_int_equal(a.id[16], '-');
	assert_int_equal(store_collecting(s, "originals", "gemini", "g", &g, &e), 0);
	assert_string_not_equal(a.id, g.id);

	const char *cz = "Příliš žluťoučký kůň úpěl ďábelské ódy, \"quoted\" / slash \\ back\nline";
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = "J:\\Foto\\2024\\IMG_0001.JPG";
	f.description = (char *)cz;
	f.state = FS_DESCRIPTION_SAVED;
	f.editorial = true;
	snprintf(f.ed.city, sizeof f.ed.city, "Praha");
	snprintf(f.ed.country, sizeof f.ed.country, "Czech Republic");
	snprintf(f.ed.date, sizeof f.ed.date, "23 11 2026");
	snprintf(f.fingerprint, sizeof f.fingerprint, "0123456789abcdef");
	f.alt_of = "J:\\Foto\\orig.jpg";
	assert_int_equal(store_add_file(s, a.id, &f, &e), 0);
	assert_int_equal(add(s, a.id, "/p/IMG_2.jpg", "second", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(add(s, a.id, "/p/IMG_3.jpg", "", FS_REJECTED, &e), 0);

	/* a file in two active batches is a hard error */
	assert_int_equal(add(s, g.id, "/p/IMG_2.jpg", "again", FS_DESCRIPTION_SAVED, &e), -1);
	assert_int_equal(e.code, SBE_CONFLICT);
	assert_non_null(strstr(e.msg, a.id));
	/* a rejected file does not hold its place */
	assert_int_equal(add(s, g.id, "/p/IMG_3.jpg", "now wanted", FS_DESCRIPTION_SAVED, &e), 0);
	char held[40];
	assert_true(store_file_batch(s, "/p/IMG_2.jpg", held));
	assert_string_equal(held, a.id);
	assert_true(store_file_batch(s, "/p/IMG_3.jpg", held));
	assert_string_equal(held, g.id);
	assert_false(store_file_batch(s, "/p/none.jpg", held));
	file_state fs;
	assert_true(store_file_known(s, "/p/IMG_3.jpg", &fs));
	assert_int_equal(fs, FS_REJECTED);
	assert_false(store_file_known(s, "/p/IMG_2.jpg", &fs));

	/* replacing a description in the same batch (edit before sending) */
	assert_int_equal(add(s, a.id, "/p/IMG_2.jpg", "second, edited", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(store_get(s, a.id, &a), 0);
	assert_int_equal(a.nfiles, 3);
	assert_int_equal(a.counts[FS_DESCRIPTION_SAVED], 2);
	assert_int_equal(a.counts[FS_REJECTED], 1);

	/* seal: 2 sendable files */
	assert_int_equal(store_seal_if_full(s, a.id, 3, &e), 0);
	assert_int_equal(store_seal_if_full(s, a.id, 2, &e), 1);
	assert_int_equal(store_get(s, a.id, &a), 0);
	assert_int_equal(a.state, BS_READY);
	batch_info a3;
	assert_int_equal(store_collecting(s, "originals", "openai", "gpt-4o-mini", &a3, &e), 0);
	assert_string_not_equal(a3.id, a.id);

	/* remove before sending; not after */
	assert_int_equal(store_remove_file(s, a.id, "/p/IMG_3.jpg", &e), 0);
	assert_int_equal(store_remove_file(s, a.id, "/p/IMG_3.jpg", &e), -1);
	assert_int_equal(e.code, SBE_NOTFOUND);

	/* update: provider ids survive reopen; state not changed by update */
	a.state = BS_COMPLETED;
	snprintf(a.provider_batch_id, sizeof a.provider_batch_id, "batch_abc");
	a.est_cost = 0.25;
	a.est_tokens = 12345;
	a.attempts = 2;
	assert_int_equal(store_update(s, &a, &e), 0);
	assert_int_equal(store_set_state(s, a.id, BS_SENT, NULL, &e), 0);
	assert_int_equal(add(s, a.id, "/p/late.jpg", "too late for this batch", FS_DESCRIPTION_SAVED, &e), -1);
	assert_int_equal(e.code, SBE_CONFLICT);
	assert_int_equal(store_file_set_state(s, a.id, "/p/IMG_2.jpg", FS_BATCH_SENT, NULL, &e), 0);
	assert_int_equal(store_remove_file(s, a.id, "/p/IMG_2.jpg", &e), -1);
	assert_int_equal(e.code, SBE_CONFLICT);

	/* store_file_update: full replace with a legal transition */
	file_entry u;
	assert_int_equal(store_file_get(s, a.id, "/p/IMG_2.jpg", &u), 0);
	char want_cid[80];
	snprintf(want_cid, sizeof want_cid, "IMG_2_%s", a.id);
	assert_string_equal(u.custom_id, want_cid);
	u.state = FS_ERROR;
	free(u.reason);
	u.reason = xstrdup("invalid JSON");
	u.attempts = 1;
	assert_int_equal(store_file_update(s, a.id, &u, &e), 0);
	u.state = FS_SAVED_TO_CSV;
	assert_int_equal(store_file_update(s, a.id, &u, &e), -1);
	file_entries_free(&u, 1);

	/* cost log */
	assert_int_equal(store_cost_log(s, a.id, "estimate", 0.0123, 4567, &e), 0);
	store_close(s);

	/* everything survives a reopen */
	s = open_ok(dir);
	file_entry r;
	assert_int_equal(store_file_get(s, a.id, "J:\\Foto\\2024\\IMG_0001.JPG", &r), 0);
	assert_string_equal(r.description, cz);
	assert_true(r.editorial);
	assert_string_equal(r.ed.city, "Praha");
	assert_string_equal(r.ed.date, "23 11 2026");
	assert_string_equal(r.fingerprint, "0123456789abcdef");
	assert_string_equal(r.alt_of, "J:\\Foto\\orig.jpg");
	file_entry_clear(&r);
	assert_int_equal(store_file_get(s, a.id, "/p/IMG_2.jpg", &r), 0);
	assert_int_equal(r.state, FS_ERROR);
	assert_string_equal(r.reason, "invalid JSON");
	assert_int_equal(r.attempts, 1);
	assert_string_equal(r.description, "second, edited");
	file_entry_clear(&r);
	assert_int_equal(store_file_get(s, a.id, "/p/IMG_3.jpg", &r), -1);
	assert_int_equal(store_get(s, a.id, &a), 0);
	assert_int_equal(a.state, BS_SENT);
	assert_string_equal(a.provider_batch_id, "batch_abc");
	assert_int_equal(a.est_tokens, 12345);
	assert_int_equal(a.attempts, 2);
	assert_true(a.sent > 0);
	assert_int_equal(a.nfiles, 2);
	assert_true(store_file_batch(s, "/p/IMG_3.jpg", held));
	assert_string_equal(held, g.id);
	batch_info *all;
	size_t nb = store_list(s, &all);
	assert_int_equal(nb, 3);
	free(all);
	char *cl = path_join(dir, "cost.jsonl"), *data;
	size_t len;
	assert_int_equal(read_whole_file(cl, &data, &len, NULL), 0);
	assert_non_null(strstr(data, "\"what\":\"estimate\""));
	free(data);
	free(cl);

	/* finished: files leave the registry; forget needs a finished batch */
	assert_int_equal(store_forget(s, a.id, &e), -1);
	assert_int_equal(store_set_state(s, a.id, BS_COMPLETED, NULL, &e), 0);
	assert_false(store_file_batch(s, "/p/IMG_2.jpg", held));
	/* ...and may go to a new batch */
	assert_int_equal(add(s, a3.id, "/p/IMG_2.jpg", "retry", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(store_compact(s, a.id, &e), 0);
	char *bp = store_batch_path(s, a.id, NULL);
	assert_int_equal(store_forget(s, a.id, &e), 0);
	assert_false(file_exists(bp));
	assert_int_equal(store_get(s, a.id, &a), -1);
	free(bp);
	store_close(s);
	s = open_ok(dir);
	nb = store_list(s, &all);
	assert_int_equal(nb, 2);
	free(all);
	store_close(s);
	rmtree(dir);
	free(dir);
}

/* Re-edit before sending: the description is replaced in place (one journal
 * line per file, the rest kept), durable across a reopen; refused once the
 * batch is sealed, and for a file not waiting with a description. */
static void test_redescribe(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	batch_info a;
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &a, &e), 0);
	file_entry f;
	memset(&f, 0, sizeof f);
	f.cesta = "/p/IMG_1.jpg";
	f.description = "first text";
	f.state = FS_DESCRIPTION_SAVED;
	f.editorial = true;
	snprintf(f.ed.city, sizeof f.ed.city, "Brno");
	f.series_n = 2;
	f.series_i = 1;
	assert_int_equal(store_add_file(s, a.id, &f, &e), 0);
	assert_int_equal(add(s, a.id, "/p/IMG_2.jpg", "other", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(add(s, a.id, "/p/IMG_3.jpg", "", FS_REJECTED, &e), 0);
	assert_int_equal(store_file_redescribe(s, a.id, "/p/IMG_1.jpg", NULL, &e), 0);
	assert_int_equal(store_file_redescribe(s, a.id, "/p/IMG_1.jpg", "Nový text, ž", &e), 0);
	assert_int_equal(store_file_redescribe(s, a.id, "/p/IMG_3.jpg", "x", &e), -1);
	assert_int_equal(e.code, SBE_CONFLICT);
	assert_int_equal(store_file_redescribe(s, a.id, "/p/none.jpg", "x", &e), -1);
	store_close(s);

	char *jp = xasprintf("%s/batches/%s/files.jsonl", dir, a.id), *data;
	size_t len, lines = 0;
	assert_int_equal(read_whole_file(jp, &data, &len, &e), 0);
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	assert_int_equal(lines, 3);
	assert_null(strstr(data, "first text"));
	free(data);
	free(jp);

	s = open_ok(dir);
	file_entry g;
	assert_int_equal(store_file_get(s, a.id, "/p/IMG_1.jpg", &g), 0);
	assert_string_equal(g.description, "Nový text, ž");
	assert_int_equal(g.state, FS_DESCRIPTION_SAVED);
	assert_true(g.editorial);
	assert_string_equal(g.ed.city, "Brno");
	assert_int_equal(g.series_n, 2);
	assert_non_null(g.custom_id);
	file_entry_clear(&g);
	assert_int_equal(store_set_state(s, a.id, BS_READY, NULL, &e), 0);
	assert_int_equal(store_file_redescribe(s, a.id, "/p/IMG_2.jpg", NULL, &e), -1);
	assert_int_equal(e.code, SBE_CONFLICT);
	assert_non_null(strstr(e.msg, "sealed"));
	assert_int_equal(store_file_redescribe(s, a.id, "/p/IMG_2.jpg", "late", &e), -1);
	assert_int_equal(store_file_get(s, a.id, "/p/IMG_2.jpg", &g), 0);
	assert_string_equal(g.description, "other");
	file_entry_clear(&g);
	store_close(s);
	rmtree(dir);
	free(dir);
}

/* The editor's draft: written, read back after a reopen, cleared; and the
 * text kept for photos passed over beside it. */
static void test_drafts(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	char *dc = NULL;
	assert_null(store_load_draft(s, &dc));
	assert_int_equal(store_save_draft(s, "J:\\x.jpg", "half-typed ž", &e), 0);
	char *dt = store_load_draft(s, &dc);
	assert_string_equal(dt, "half-typed ž");
	assert_string_equal(dc, "J:\\x.jpg");
	free(dt);
	free(dc);
	store_close(s);

	/* it survives a reopen */
	s = open_ok(dir);
	dt = store_load_draft(s, &dc);
	assert_non_null(dt);
	free(dt);
	free(dc);
	assert_int_equal(store_clear_draft(s, &e), 0);
	assert_null(store_load_draft(s, NULL));

	/* text kept for photos passed over: beside the current draft, each
	 * until its photo is typed for again, saved or skipped */
	assert_int_equal(store_save_draft(s, "/p/a.jpg", "typed for a", &e), 0);
	assert_int_equal(store_keep_draft(s, "/p/a.jpg", "typed for a", &e), 0);
	assert_null(store_load_draft(s, NULL)); /* a is no longer the current one */
	assert_int_equal(store_save_draft(s, "/p/b.jpg", "typed for b", &e), 0);
	assert_int_equal(store_keep_draft(s, "/p/c.jpg", "typed for c", &e), 0);
	char **kc, **kt;
	size_t nk = store_kept_drafts(s, &kc, &kt);
	assert_int_equal(nk, 2);
	for (size_t i = 0; i < nk; i++) {
		assert_true(!strcmp(kc[i], "/p/a.jpg") ? !strcmp(kt[i], "typed for a")
						       : !strcmp(kt[i], "typed for c"));
		free(kc[i]);
		free(kt[i]);
	}
	free(kc);
	free(kt);
	dt = store_load_draft(s, &dc);
	assert_string_equal(dt, "typed for b");
	free(dt);
	free(dc);
	/* typed for again: the current draft, no longer kept */
	assert_int_equal(store_save_draft(s, "/p/a.jpg", "typed for a, more", &e), 0);
	nk = store_kept_drafts(s, &kc, &kt);
	assert_int_equal(nk, 1);
	assert_string_equal(kc[0], "/p/c.jpg");
	free(kc[0]);
	free(kt[0]);
	free(kc);
	free(kt);
	/* saved or skipped: gone, current or kept; the file with them */
	assert_int_equal(store_drop_draft(s, "/p/a.jpg", &e), 0);
	assert_null(store_load_draft(s, NULL));
	assert_int_equal(store_drop_draft(s, "/p/c.jpg", &e), 0);
	assert_int_equal(store_kept_drafts(s, &kc, &kt), 0);
	free(kc);
	free(kt);
	char *df = path_join(dir, "draft.json");
	assert_false(file_exists(df));
	free(df);
	store_close(s);
	rmtree(dir);
	free(dir);
}

static void test_reactivate_conflict(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	batch_info a, b;
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &a, &e), 0);
	assert_int_equal(add(s, a.id, "/x.jpg", "d", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(store_set_state(s, a.id, BS_READY, NULL, &e), 0);
	assert_int_equal(store_set_state(s, a.id, BS_FAILED, "upload refused", &e), 0);
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &b, &e), 0);
	assert_int_equal(add(s, b.id, "/x.jpg", "d", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(store_set_state(s, a.id, BS_READY, NULL, &e), -1);
	assert_int_equal(e.code, SBE_CONFLICT);
	assert_non_null(strstr(e.msg, b.id));
	assert_int_equal(store_remove_file(s, b.id, "/x.jpg", &e), 0);
	assert_int_equal(store_set_state(s, a.id, BS_READY, NULL, &e), 0);
	char held[40];
	assert_true(store_file_batch(s, "/x.jpg", held));
	assert_string_equal(held, a.id);
	store_close(s);
	rmtree(dir);
	free(dir);
}

/* What a crash can leave: a torn journal line, temp files, a half-born
 * folder, a half-removed one, a broken batch.json. */
static void test_repair(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	batch_info a;
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &a, &e), 0);
	assert_int_equal(add(s, a.id, "/one.jpg", "first description", FS_DESCRIPTION_SAVED, &e), 0);
	char *j = store_batch_path(s, a.id, "files.jsonl");
	char *bdir = store_batch_path(s, a.id, NULL);
	store_close(s);

	int fd = open(j, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	const char *torn = "{\"op\":\"file\",\"cesta\":\"/two.jpg\",\"state\":\"descr";
	assert_int_equal(write(fd, torn, strlen(torn)), (ssize_t)strlen(torn));
	close(fd);
	struct stat st0;
	assert_int_equal(stat(j, &st0), 0);
	char *tmpf = xasprintf("%s/batch.json.tmp.99999", bdir);
	assert_int_equal(atomic_write(tmpf, "x", 1, 0644, NULL), 0);
	char *newd = xasprintf("%s/batches/.new-b20200101-000000-0000", dir);
	char *trash = xasprintf("%s/batches/.trash-b20200101-000000-0001", dir);
	char *broken = xasprintf("%s/batches/b20200101-000000-0002", dir);
	assert_int_equal(mkdir_p(newd, 0755, NULL), 0);
	assert_int_equal(mkdir_p(trash, 0755, NULL), 0);
	assert_int_equal(mkdir_p(broken, 0755, NULL), 0);
	char *bj = path_join(broken, "batch.json");
	assert_int_equal(atomic_write(bj, "{\"id\":", 6, 0644, NULL), 0);

	s = open_ok(dir);
	struct stat st1;
	assert_int_equal(stat(j, &st1), 0);
	assert_int_equal(st1.st_size, st0.st_size - (off_t)strlen(torn));
	assert_false(file_exists(tmpf));
	assert_false(file_exists(newd));
	assert_false(file_exists(trash));
	batch_info *all;
	assert_int_equal(store_list(s, &all), 1);
	free(all);
	file_entry r;
	assert_int_equal(store_file_get(s, a.id, "/two.jpg", &r), -1);
	assert_int_equal(store_file_get(s, a.id, "/one.jpg", &r), 0);
	assert_string_equal(r.description, "first description");
	file_entry_clear(&r);
	/* appends after the repair are clean */
	assert_int_equal(add(s, a.id, "/two.jpg", "second description", FS_DESCRIPTION_SAVED, &e), 0);
	store_close(s);
	s = open_ok(dir);
	assert_int_equal(store_file_get(s, a.id, "/two.jpg", &r), 0);
	assert_string_equal(r.description, "second description");
	file_entry_clear(&r);
	/* registry.json is rebuilt and readable */
	char *reg = path_join(dir, "registry.json"), *data;
	size_t len;
	assert_int_equal(read_whole_file(reg, &data, &len, NULL), 0);
	assert_non_null(strstr(data, a.id));
	free(data);
	free(reg);
	store_close(s);
	free(j);
	free(bdir);
	free(tmpf);
	free(newd);
	free(trash);
	free(broken);
	free(bj);
	rmtree(dir);
	free(dir);
}

/* While another process holds the library, open reads and repairs nothing:
 * an unfinished line or temp file may be that process's work in progress. */
static void test_other_instance(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	batch_info a;
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &a, &e), 0);
	assert_int_equal(add(s, a.id, "/one.jpg", "first description", FS_DESCRIPTION_SAVED, &e), 0);
	char *j = store_batch_path(s, a.id, "files.jsonl");
	char *tmpf = store_batch_path(s, a.id, "batch.json.tmp.4242");
	store_close(s);
	int fd = open(j, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"op\":", 6), 6);
	close(fd);
	assert_int_equal(atomic_write(tmpf, "x", 1, 0644, NULL), 0);
	struct stat st0, st1;
	assert_int_equal(stat(j, &st0), 0);

	int go[2], done[2];
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	pid_t pid = fork();
	if (pid == 0) {
		sb_lock *l;
		char c = lock_acquire(dir, &l, NULL) == 0 ? 'y' : 'n';
		if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	char c;
	assert_int_equal(read(go[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_int_equal(lock_check(dir), LOCK_OTHER);
	s = open_ok(dir);
	file_entry r;
	assert_int_equal(store_file_get(s, a.id, "/one.jpg", &r), 0);
	file_entry_clear(&r);
	store_close(s);
	assert_int_equal(stat(j, &st1), 0);
	assert_int_equal(st1.st_size, st0.st_size);
	assert_true(file_exists(tmpf));
	assert_int_equal(write(done[1], "x", 1), 1);
	int wst;
	waitpid(pid, &wst, 0);
	assert_int_equal(lock_check(dir), LOCK_FREE);
	/* ours: repaired */
	sb_lock *l;
	assert_int_equal(lock_acquire(dir, &l, &e), 0);
	assert_int_equal(lock_check(dir), LOCK_OURS);
	s = open_ok(dir);
	store_close(s);
	lock_release(l);
	assert_int_equal(stat(j, &st1), 0);
	assert_int_equal(st1.st_size, st0.st_size - 6);
	assert_false(file_exists(tmpf));
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	free(j);
	free(tmpf);
	rmtree(dir);
	free(dir);
}

static size_t count_lines(const char *path)
{
	char *d;
	size_t len, n = 0;
	assert_int_equal(read_whole_file(path, &d, &len, NULL), 0);
	for (size_t i = 0; i < len; i++)
		n += d[i] == '\n';
	free(d);
	return n;
}

/* A finished batch whose files are settled is rewritten to one line each. */
static void test_settle(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	batch_info a;
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &a, &e), 0);
	const char *c[3] = {"/a.jpg", "/b.jpg", "/c.jpg"};
	for (int i = 0; i < 3; i++)
		assert_int_equal(add(s, a.id, c[i], "some description", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(store_set_state(s, a.id, BS_READY, NULL, &e), 0);
	assert_int_equal(store_set_state(s, a.id, BS_SENT, NULL, &e), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_file_set_state(s, a.id, c[i], FS_BATCH_SENT, NULL, &e), 0);
		assert_int_equal(store_file_set_state(s, a.id, c[i], FS_BATCH_COMPLETED, NULL, &e), 0);
	}
	assert_int_equal(store_set_state(s, a.id, BS_COMPLETED, NULL, &e), 0);
	char *j = store_batch_path(s, a.id, "files.jsonl");
	assert_int_equal(store_file_set_state(s, a.id, c[0], FS_SAVED_TO_CSV, NULL, &e), 0);
	assert_int_equal(store_file_set_state(s, a.id, c[1], FS_DEAD, "rules", &e), 0);
	assert_int_equal(count_lines(j), 11); /* not settled yet: c[2] is pending commit */
	assert_int_equal(store_file_set_state(s, a.id, c[2], FS_SAVED_TO_CSV, NULL, &e), 0);
	assert_int_equal(count_lines(j), 3);
	store_close(s);
	s = open_ok(dir);
	file_entry f;
	assert_int_equal(store_file_get(s, a.id, c[1], &f), 0);
	assert_int_equal(f.state, FS_DEAD);
	assert_string_equal(f.reason, "rules");
	assert_string_equal(f.description, "some description");
	file_entry_clear(&f);
	file_state fs;
	assert_true(store_file_known(s, c[2], &fs));
	assert_int_equal(fs, FS_SAVED_TO_CSV);
	store_close(s);
	free(j);
	rmtree(dir);
	free(dir);
}

/* A finished batch: three files sent and settled (saved, rejected, dead). */
static void finished_batch(store *s, const char *const c[3], batch_info *a)
{
	sb_err e;
	assert_int_equal(store_collecting(s, "originals", "openai", "m", a, &e), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(add(s, a->id, c[i], "lazy description", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(store_file_set_state(s, a->id, c[1], FS_REJECTED, NULL, &e), 0);
	assert_int_equal(store_set_state(s, a->id, BS_READY, NULL, &e), 0);
	assert_int_equal(store_set_state(s, a->id, BS_SENT, NULL, &e), 0);
	for (int i = 0; i < 3; i += 2) {
		assert_int_equal(store_file_set_state(s, a->id, c[i], FS_BATCH_SENT, NULL, &e), 0);
		assert_int_equal(store_file_set_state(s, a->id, c[i], FS_BATCH_COMPLETED, NULL, &e), 0);
	}
	assert_int_equal(store_set_state(s, a->id, BS_COMPLETED, NULL, &e), 0);
	assert_int_equal(store_file_set_state(s, a->id, c[0], FS_SAVED_TO_CSV, NULL, &e), 0);
	assert_int_equal(store_file_set_state(s, a->id, c[2], FS_DEAD, "rules", &e), 0);
}

static void assert_counts(store *s, const char *id, size_t n, size_t saved, size_t rej, size_t dead,
			  size_t pending)
{
	batch_info b;
	assert_int_equal(store_get(s, id, &b), 0);
	assert_int_equal(b.nfiles, n);
	assert_int_equal(b.counts[FS_SAVED_TO_CSV], saved);
	assert_int_equal(b.counts[FS_REJECTED], rej);
	assert_int_equal(b.counts[FS_DEAD], dead);
	assert_int_equal(b.counts[FS_PENDING], pending);
}

/* Finished, settled batches open from files.settled (their journals are
 * read on first use); counts and the known registry are right either way,
 * and a stale, damaged or missing summary only means the journal is read. */
static void test_lazy_finished(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	batch_info a, live;
	const char *c[3] = {"/l/a.jpg", "/l/b.jpg", "/l/c.jpg"};
	finished_batch(s, c, &a);
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &live, &e), 0);
	assert_int_equal(add(s, live.id, "/l/live.jpg", "x", FS_PENDING, &e), 0);
	store_close(s);
	char *sum = xasprintf("%s/batches/%s/files.settled", dir, a.id);
	char *jr = xasprintf("%s/batches/%s/files.jsonl", dir, a.id);
	assert_int_equal(access(sum, F_OK), 0); /* written when it settled */
	/* The journal made unreadable: open must not read it for this batch. */
	assert_int_equal(chmod(jr, 0), 0);
	bool root = access(jr, R_OK) == 0;
	s = open_ok(dir);
	assert_counts(s, a.id, 3, 1, 1, 1, 0);
	file_state fs;
	assert_true(store_file_known(s, c[0], &fs));
	assert_int_equal(fs, FS_SAVED_TO_CSV);
	assert_true(store_file_known(s, c[1], &fs));
	assert_int_equal(fs, FS_REJECTED);
	assert_true(store_file_known(s, c[2], &fs));
	assert_int_equal(fs, FS_DEAD);
	assert_false(store_file_batch(s, c[0], NULL));
	assert_true(store_file_batch(s, "/l/live.jpg", NULL));
	file_entry *fl;
	size_t n;
	if (!root) /* first use reads the journal: here it cannot */
		assert_int_equal(store_files(s, a.id, &fl, &n), -1);
	assert_int_equal(chmod(jr, 0644), 0);
	assert_int_equal(store_files(s, a.id, &fl, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(fl[2].description, "lazy description");
	assert_string_equal(fl[2].reason, "rules");
	file_entries_free(fl, n);
	/* A retry changes a lazy batch: loaded first, the summary goes stale. */
	store_close(s);
	s = open_ok(dir);
	assert_int_equal(store_file_set_state(s, a.id, c[1], FS_PENDING, NULL, &e), 0);
	assert_false(store_file_known(s, c[1], NULL));
	assert_counts(s, a.id, 3, 1, 0, 1, 1);
	store_close(s);
	s = open_ok(dir); /* stale summary ignored: the journal is read */
	assert_counts(s, a.id, 3, 1, 0, 1, 1);
	assert_false(store_file_known(s, c[1], NULL));
	assert_true(store_file_known(s, c[2], &fs));
	/* Settled again: a fresh summary. */
	assert_int_equal(store_file_set_state(s, a.id, c[1], FS_REJECTED, NULL, &e), 0);
	store_close(s);
	s = open_ok(dir);
	assert_counts(s, a.id, 3, 1, 1, 1, 0);
	assert_true(store_file_known(s, c[1], &fs));
	assert_int_equal(fs, FS_REJECTED);
	store_close(s);
	/* A damaged summary (same size, one byte changed) is not trusted. */
	char *text;
	size_t len;
	assert_int_equal(read_whole_file(sum, &text, &len, &e), 0);
	char *t = strstr(text, "rejected");
	assert_non_null(t);
	memcpy(t, "skipped\t", 8); /* "skipped\t/l/b.jpg" instead of "rejected\t/l/b.jpg" */
	memmove(t + 8, t + 9, len - (size_t)(t + 9 - text));
	assert_int_equal(atomic_write(sum, text, len - 1, 0644, &e), 0);
	free(text);
	s = open_ok(dir);
	assert_true(store_file_known(s, c[1], &fs));
	assert_int_equal(fs, FS_REJECTED);
	assert_counts(s, a.id, 3, 1, 1, 1, 0);
	store_close(s);
	/* Missing: rebuilt at open. */
	assert_int_equal(unlink(sum), 0);
	s = open_ok(dir);
	assert_counts(s, a.id, 3, 1, 1, 1, 0);
	store_close(s);
	assert_int_equal(access(sum, F_OK), 0);
	/* Forgetting a lazy batch forgets its known files. */
	s = open_ok(dir);
	assert_int_equal(store_forget(s, a.id, &e), 0);
	assert_false(store_file_known(s, c[0], NULL));
	assert_false(store_file_known(s, c[2], NULL));
	store_close(s);
	free(sum);
	free(jr);
	rmtree(dir);
	free(dir);
}

/* Two live batches claiming one file (edited by hand, or a bug): open keeps
 * the older claim and says so; the younger batch cannot become live again. */
static void test_double_claim(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	sb_err e;
	batch_info a, b;
	assert_int_equal(store_collecting(s, "originals", "openai", "m", &a, &e), 0);
	assert_int_equal(add(s, a.id, "/dup.jpg", "first claim", FS_DESCRIPTION_SAVED, &e), 0);
	assert_int_equal(store_collecting(s, "alt_bw", "openai", "m", &b, &e), 0);
	char *ja = store_batch_path(s, a.id, "files.jsonl"), *jb = store_batch_path(s, b.id, "files.jsonl");
	store_close(s);
	char *data;
	size_t len;
	assert_int_equal(read_whole_file(ja, &data, &len, NULL), 0);
	assert_int_equal(append_line_sync(jb, data, NULL), 0); /* the same line in b */
	free(data);
	s = open_ok(dir);
	char held[40];
	assert_true(store_file_batch(s, "/dup.jpg", held));
	/* ids sort by creation time; the older batch keeps the file */
	batch_info *all;
	size_t n = store_list(s, &all);
	assert_int_equal(n, 2);
	assert_string_equal(held, all[0].id);
	const char *young = all[1].id;
	file_entry f;
	assert_int_equal(store_file_get(s, young, "/dup.jpg", &f), 0);
	file_entry_clear(&f);
	/* the younger one may still be cancelled, and the file stays with the older */
	assert_int_equal(store_set_state(s, young, BS_CANCELLED, NULL, &e), 0);
	assert_true(store_file_batch(s, "/dup.jpg", held));
	assert_string_equal(held, all[0].id);
	free(all);
	store_close(s);
	free(ja);
	free(jb);
	rmtree(dir);
	free(dir);
}

struct tharg {
	store *s;
	int id;
};

static void *th_add(void *p)
{
	struct tharg *a = p;
	sb_err e;
	batch_info b;
	char kind[24];
	snprintf(kind, sizeof kind, "t%d", a->id);
	for (int i = 0; i < 100; i++) {
		if (store_collecting(a->s, kind, "openai", "m", &b, &e) < 0)
			return (void *)1;
		char c[64];
		snprintf(c, sizeof c, "/t%d/%d.jpg", a->id, i);
		if (add(a->s, b.id, c, "threaded description", FS_DESCRIPTION_SAVED, &e) < 0)
			return (void *)1;
		if (store_seal_if_full(a->s, b.id, 10, &e) < 0)
			return (void *)1;
		batch_info *all;
		free((store_list(a->s, &all), all));
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	char *dir = mktmp();
	store *s = open_ok(dir);
	pthread_t t[3];
	struct tharg args[3];
	for (int i = 0; i < 3; i++) {
		args[i] = (struct tharg){s, i};
		pthread_create(&t[i], NULL, th_add, &args[i]);
	}
	for (int i = 0; i < 3; i++) {
		void *r;
		pthread_join(t[i], &r);
		assert_null(r);
	}
	batch_info *all;
	size_t n = store_list(s, &all), files = 0, ready = 0;
	for (size_t i = 0; i < n; i++) {
		files += all[i].nfiles;
		ready += all[i].state == BS_READY;
	}
	free(all);
	assert_int_equal(files, 300);
	assert_int_equal(ready, 30);
	store_close(s);
	rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),          cmocka_unit_test(test_same_second_order),
		cmocka_unit_test(test_batch_machine),		cmocka_unit_test(test_file_machine),   cmocka_unit_test(test_files),
		cmocka_unit_test(test_drafts),
		cmocka_unit_test(test_reactivate_conflict), cmocka_unit_test(test_repair),
		cmocka_unit_test(test_other_instance),
		cmocka_unit_test(test_threads), cmocka_unit_test(test_settle),
		cmocka_unit_test(test_double_claim), cmocka_unit_test(test_lazy_finished),
		cmocka_unit_test(test_redescribe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

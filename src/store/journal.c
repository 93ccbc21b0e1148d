/* journal.c: files.jsonl, a batch's append-only, fsync'd journal of file
 * events: the line format, appending, replay at open (a torn last line is
 * dropped and cut), and compaction to one line per file. */
#include "config.h"
#include "store_int.h"
#include "i18n.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *journal_line(const char *op, const file_entry *f)
{
	json_object *o = json_object_new_object();
	jadd_str(o, "op", op);
	jadd_str(o, "cesta", f->cesta);
	if (strcmp(op, "del")) {
		jadd_str(o, "state", file_state_name(f->state));
		if (f->reason)
			jadd_str(o, "reason", f->reason);
	}
	if (!strcmp(op, "file")) {
		jadd_str(o, "description", f->description ? f->description : "");
		if (f->editorial) {
			json_object_object_add(o, "editorial", json_object_new_boolean(1));
			jadd_str(o, "city", f->ed.city);
			jadd_str(o, "country", f->ed.country);
			jadd_str(o, "date", f->ed.date);
		}
		if (f->fingerprint[0])
			jadd_str(o, "fingerprint", f->fingerprint);
		if (f->custom_id)
			jadd_str(o, "custom_id", f->custom_id);
		if (f->attempts)
			json_object_object_add(o, "attempts", json_object_new_int(f->attempts));
		if (f->alt_of)
			jadd_str(o, "alt_of", f->alt_of);
		if (f->series_n > 1) {
			json_object_object_add(o, "series_n", json_object_new_int(f->series_n));
			json_object_object_add(o, "series_i", json_object_new_int(f->series_i));
		}
	}
	char iso[32];
	time_iso(time(NULL), iso);
	jadd_str(o, "at", iso);
	char *r = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_LINE));
	json_object_put(o);
	return r;
}

/* Apply one journal line to b (at open: no registry bookkeeping yet). */
static int journal_replay(brec *b, json_object *o)
{
	const char *op = jstr(o, "op"), *cesta = jstr(o, "cesta");
	if (!op || !cesta || !*cesta)
		return -1;
	file_entry *f = brec_entry(b, cesta);
	if (!strcmp(op, "del")) {
		if (f) {
			strmap_del(&b->idx, cesta);
			file_entry_clear(f);
		}
		return 0;
	}
	file_state st;
	if (file_state_parse(jstr(o, "state"), &st) < 0)
		return -1;
	if (!strcmp(op, "state")) {
		if (!f)
			return -1;
		f->state = st;
		free(f->reason);
		const char *r = jstr(o, "reason");
		f->reason = r ? xstrdup(r) : NULL;
		return 0;
	}
	if (strcmp(op, "file"))
		return -1;
	if (!f)
		f = brec_slot_new(b, cesta);
	char *keep = f->cesta;
	f->cesta = NULL;
	file_entry_clear(f);
	f->cesta = keep;
	f->state = st;
	const char *v;
	f->description = xstrdup((v = jstr(o, "description")) ? v : "");
	json_object *ed;
	f->editorial =
		json_object_object_get_ex(o, "editorial", &ed) && json_object_get_boolean(ed);
	jcopy(f->ed.city, sizeof f->ed.city, o, "city");
	jcopy(f->ed.country, sizeof f->ed.country, o, "country");
	jcopy(f->ed.date, sizeof f->ed.date, o, "date");
	jcopy(f->fingerprint, sizeof f->fingerprint, o, "fingerprint");
	f->custom_id = (v = jstr(o, "custom_id")) ? xstrdup(v) : NULL;
	f->reason = (v = jstr(o, "reason")) ? xstrdup(v) : NULL;
	f->alt_of = (v = jstr(o, "alt_of")) ? xstrdup(v) : NULL;
	f->attempts = (int)jint(o, "attempts");
	f->series_n = (int)jint(o, "series_n");
	f->series_i = (int)jint(o, "series_i");
	return 0;
}

/* Append one whole line and fdatasync; a short write is cut back so the
 * journal never holds half a line followed by a good one. */
int journal_append(const char *path, const char *line, sb_err *e)
{
	int fd = open_private(path, O_WRONLY | O_CREAT | O_APPEND, e);
	if (fd < 0)
		return -1;
	struct stat st;
	off_t start = fstat(fd, &st) == 0 ? st.st_size : -1;
	size_t n = strlen(line), off = 0;
	int err = 0;
	while (off < n) {
		ssize_t w = write(fd, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? errno : ENOSPC;
			break;
		}
		off += (size_t)w;
	}
	if (!err && fdatasync(fd) < 0)
		err = errno;
	if (err && start >= 0 && ftruncate(fd, start) < 0) {
		/* the torn tail is cut at the next open */
	}
	close(fd);
	if (err)
		return sb_fail(e, SBE_IO, _("cannot append to %s: %s"), path, strerror(err));
	return 0;
}

/* Journal one event of b's file f ("file", "state", "del"). */
int journal_record(brec *b, const char *op, const file_entry *f, sb_err *e)
{
	char *line = journal_line(op, f);
	int r = journal_append(b->journal, line, e);
	free(line);
	if (r == 0) {
		b->jlines++;
		b->summary_ok = false; /* the journal grew: files.settled is stale */
	}
	return r;
}

/* Load files.jsonl; a torn last line (no newline: the crash hit mid-write)
 * is dropped and cut off so the next append starts clean. */
int journal_load(brec *b, bool repair, sb_err *e)
{
	char *data;
	size_t len;
	sb_err e2;
	if (read_whole_file(b->journal, &data, &len, &e2) < 0) {
		if (e2.code == SBE_NOTFOUND)
			return 0;
		return sb_fail(e, e2.code, "%s", e2.msg);
	}
	size_t good = 0, lineno = 0;
	json_tokener *tok = json_tokener_new();
	for (size_t off = 0; off < len;) {
		char *nl = memchr(data + off, '\n', len - off);
		if (!nl)
			break;
		lineno++;
		size_t ll = (size_t)(nl - (data + off));
		json_tokener_reset(tok);
		json_object *o = ll ? json_tokener_parse_ex(tok, data + off, (int)ll) : NULL;
		if (ll && (!o || journal_replay(b, o) < 0))
			sb_log(LOG_WARN, _("%s:%zu: unreadable journal line ignored"), b->journal,
			       lineno);
		json_object_put(o);
		off += ll + 1;
		good = off;
		b->jlines++;
	}
	json_tokener_free(tok);
	free(data);
	if (good < len && repair) {
		sb_log(LOG_WARN,
		       _("%s: dropped an incomplete last line (%zu bytes) left by a crash"),
		       b->journal, len - good);
		if (truncate(b->journal, (off_t)good) < 0)
			return sb_fail(e, SBE_IO, _("cannot repair %s: %s"), b->journal,
				       strerror(errno));
	}
	/* counts and nfiles are derived, never trusted from disk */
	memset(b->info.counts, 0, sizeof b->info.counts);
	b->info.nfiles = 0;
	for (size_t i = 0; i < b->nslots; i++)
		if (b->files[i].cesta) {
			b->info.counts[b->files[i].state]++;
			b->info.nfiles++;
		}
	return 0;
}

int journal_compact(brec *b, sb_err *e)
{
	sbuf t = { 0 };
	size_t k = 0;
	for (size_t i = 0; i < b->nslots; i++) {
		file_entry *f = &b->files[i];
		if (!f->cesta)
			continue;
		char *line = journal_line("file", f);
		sbuf_adds(&t, line);
		free(line);
		if (k != i) { /* squeeze out removed slots */
			b->files[k] = *f;
			memset(f, 0, sizeof *f);
		}
		k++;
	}
	int r = atomic_write(b->journal, t.p ? t.p : "", t.len, 0600, e);
	sbuf_free(&t);
	b->summary_ok = false; /* a new journal file: new size and mtime */
	/* slots moved: the index follows (also when the write failed) */
	b->nslots = k;
	strmap_free(&b->idx);
	for (size_t i = 0; i < k; i++)
		strmap_add(&b->idx, b->files[i].cesta, NULL)->num = i + 1;
	if (r == 0)
		b->jlines = k;
	return r;
}

int store_compact(store *s, const char *batch_id, sb_err *e)
{
	LOCK(s);
	brec *b = brec_find(s, batch_id);
	int r = !b                                ? store_no_batch(e, batch_id)
		: brec_ensure_loaded(s, b, e) < 0 ? -1
						  : journal_compact(b, e);
	UNLOCK(s);
	return r;
}

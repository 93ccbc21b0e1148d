/* settled.c: files.settled, the summary of a finished batch whose files are
 * all settled: later opens read it instead of the journal and load the
 * journal only when the batch is used (lazy loading). */
#include "config.h"
#include "store_int.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUMMARY_MAGIC "stockbatch-settled 1"
/* Finished, and every file in a final state: the batch will not change
 * unless someone retries one of its files (which appends to the journal). */
static bool brec_settled(const brec *b)
{
	size_t settled = 0;
	for (int i = 0; i < FS__COUNT; i++)
		if (file_state_settled((file_state)i))
			settled += b->info.counts[i];
	return !batch_state_active(b->info.state) && settled == b->info.nfiles;
}

/* Written without fsync: it is only a cache of the journal, checked at open
 * against the journal's size and mtime and its own checksum, so a torn or
 * stale one just means the journal is read (and the summary rewritten). */
void summary_write(brec *b)
{
	struct stat st;
	if (b->lazy || b->summary_ok || !brec_settled(b) || stat(b->journal, &st) < 0)
		return;
	sbuf body = { 0 };
	for (size_t i = 0; i < b->nslots; i++) {
		const char *c = b->files[i].cesta;
		if (!c)
			continue;
		if (strpbrk(c, "\t\n\r")) { /* not representable: stay eager */
			sbuf_free(&body);
			return;
		}
		sbuf_printf(&body, "%s\t%s\n", file_state_name(b->files[i].state), c);
	}
	sbuf t = { 0 };
	sbuf_printf(&t, SUMMARY_MAGIC " %lld %lld %ld %zu %016llx\n", (long long)st.st_size,
		    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec, b->info.nfiles,
		    fnv1a64(body.p ? body.p : "", body.len));
	sbuf_add(&t, body.p ? body.p : "", body.len);
	sbuf_free(&body);
	char *path = path_join(b->dir, "files.settled");
	char *tmp = NULL;
	int fd = util_create_temp(path, &tmp, NULL);
	bool ok = fd >= 0;
	for (size_t off = 0; ok && off < t.len;) {
		ssize_t w = write(fd, t.p + off, t.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		off += ok ? (size_t)w : 0;
	}
	if (fd >= 0 && close(fd) < 0)
		ok = false;
	if (ok && rename(tmp, path) == 0)
		b->summary_ok = true;
	else if (tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	sbuf_free(&t);
}

/* Read files.settled if it still describes the journal: fills counts and
 * nfiles, keeps the text (lines NUL-terminated) for the registry pass. */
bool summary_read(brec *b)
{
	struct stat st;
	if (stat(b->journal, &st) < 0)
		return false;
	char *path = path_join(b->dir, "files.settled"), *text;
	size_t len;
	int r = read_whole_file(path, &text, &len, NULL);
	free(path);
	if (r < 0)
		return false;
	long long size, sec, sum;
	long nsec;
	size_t n;
	int hl = 0;
	char *nl = memchr(text, '\n', len);
	if (!nl ||
	    sscanf(text, SUMMARY_MAGIC " %lld %lld %ld %zu %llx%n", &size, &sec, &nsec, &n,
		   (unsigned long long *)&sum, &hl) != 5 ||
	    text + hl != nl || size != (long long)st.st_size ||
	    sec != (long long)st.st_mtim.tv_sec || nsec != (long)st.st_mtim.tv_nsec)
		goto bad;
	char *body = nl + 1, *end = text + len;
	if ((unsigned long long)sum != fnv1a64(body, (size_t)(end - body)))
		goto bad;
	size_t counts[FS__COUNT] = { 0 }, k = 0;
	for (char *p = body; p < end; k++) {
		char *e = memchr(p, '\n', (size_t)(end - p)), *tab;
		if (!e)
			goto bad;
		*e = 0;
		file_state fs;
		if (!(tab = strchr(p, '\t')) || !tab[1])
			goto bad;
		*tab = 0;
		if (file_state_parse(p, &fs) < 0 || !file_state_settled(fs))
			goto bad;
		*tab = '\t';
		counts[fs]++;
		p = e + 1;
	}
	if (k != n)
		goto bad;
	memcpy(b->info.counts, counts, sizeof counts);
	b->info.nfiles = n;
	b->summary = text;
	b->summary_len = len;
	b->lazy = b->summary_ok = true;
	return true;
bad:
	free(text);
	return false;
}

/* The known-file registry entries of a lazy batch, from its summary. */
void summary_register(store *s, brec *b)
{
	char *p = memchr(b->summary, '\n', b->summary_len) + 1, *end = b->summary + b->summary_len;
	while (p < end) {
		size_t l = strlen(p);
		char *tab = strchr(p, '\t');
		*tab = 0;
		file_state fs = FS_SAVED_TO_CSV;
		file_state_parse(p, &fs);
		reg_known_put(&s->known, tab + 1, b, (int)fs);
		p += l + 1;
	}
	free(b->summary);
	b->summary = NULL;
}

/* Read a lazy batch's journal, on its first use after open. */
int brec_ensure_loaded(store *s, brec *b, sb_err *e)
{
	if (!b->lazy)
		return 0;
	if (journal_load(b, s->repair, e) < 0)
		return -1;
	b->lazy = false;
	/* the summary matched this journal; keep the known registry exact anyway */
	for (size_t i = 0; i < b->nslots; i++) {
		const char *c = b->files[i].cesta;
		sm_entry *kn = c ? strmap_find(&s->known, c) : NULL;
		if (!kn || kn->ptr != b)
			continue;
		if (file_state_settled(b->files[i].state))
			kn->aux = (int)b->files[i].state;
		else
			strmap_del(&s->known, c);
	}
	return 0;
}

/* A finished batch whose files are all settled will not change again: its
 * journal is rewritten to one line per file, so later opens read less. */
void brec_settle(brec *b)
{
	if (b->lazy || !brec_settled(b))
		return;
	sb_err e;
	if (b->jlines > b->info.nfiles && journal_compact(b, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
	summary_write(b); /* and later opens need not read the journal at all */
}

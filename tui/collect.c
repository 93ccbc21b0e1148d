/* collect.c: phase 3 for the TUI (see collect.h): the session's list and
 * the draft writer thread.  The rules (eligibility, save, reject, skip,
 * drafts) are the core's, src/collect.c; the list fills in from the core's
 * background scan (src/collectscan.c), in order, minus what we save,
 * reject or skip on the way. */
#include "config.h"
#include "collect.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectscan.h"
#include "i18n.h"
#include "imageprep.h"
#include "log.h"
#include "lostrows.h"
#include "photomedia.h"
#include "queue.h"
#include "strmap.h"

#define SERIES_SCAN 64 /* photos ahead looked at for the current one's series */

/* Why a photo of the list is no longer open this session. */
typedef enum { GONE_NOT, GONE_SAVED, GONE_REJECTED, GONE_SKIPPED } gone_why;

struct collector {
	settings *cfg;
	store *st;
	collect_scan *scan;
	const mediacsv *m;
	size_t *rows, nrows, cap, cur;
	char **local;        /* mapped paths, made on demand (cap entries) */
	unsigned char *gone; /* a gone_why: saved, rejected or skipped (cap entries) */
	strmap kept;         /* Cesta -> text typed for a photo passed over (jump) */
	long redo_row;       /* re-editing a saved description: its CSV row; -1 */
	char *redo_cesta, *redo_local;
	bool scanning;  /* more rows may come */
	long draft_row; /* shown before the scan found it: skipped then; -1 */
	/* The current photo's series (SPEC 13): its frames (positions in the
	 * list, in time order; cur is one of them), the one shown, and the photos
	 * near it whose hash the previewer's thread is still to make. */
	series_cache *hc;
	series_edits *se;
	size_t fr[SERIES_SCAN + 1], nfr, sel_pos;
	size_t want[SERIES_SCAN + 1], nwant;
	bool sdirty;
	/* The draft writer: an fsync'd write must not stall typing, so a small
	 * thread writes the latest text handed over (a queue of one: an older
	 * draft still waiting is dropped). */
	pthread_t dth;
	bool dth_started;
	sbq *drafts;
	pthread_mutex_t dmu;
	char derr[1024]; /* last failure, under dmu */
};

typedef struct draft {
	char *cesta, *text;
} draft;

static void draft_free(void *item)
{
	draft *d = item;
	free(d->cesta);
	free(d->text);
}

static int draft_rank(const void *item)
{
	(void)item;
	return 1; /* the newer text replaces it */
}

static void *draft_main(void *arg)
{
	collector *c = arg;
	draft d;
	while (sbq_pop(c->drafts, &d, -1) > 0) { /* after the stop, what is pending first */
		sb_err e;
		sb_err_clear(&e);
		int rc = collect_draft_save(c->st, d.cesta, d.text, &e);
		draft_free(&d);
		if (rc < 0) {
			pthread_mutex_lock(&c->dmu);
			snprintf(c->derr, sizeof c->derr, "%s", e.msg);
			pthread_mutex_unlock(&c->dmu);
		}
		sbq_done(c->drafts);
	}
	return NULL;
}

/* Wait until every handed-over draft is on disk (before a save or quit). */
static void draft_flush(collector *c)
{
	if (c->dth_started)
		sbq_wait_idle(c->drafts);
}

int collect_open(settings *cfg, store *st, collector **out, sb_err *e)
{
	collector *c = xcalloc(1, sizeof *c);
	c->cfg = cfg;
	c->st = st;
	if (collect_scan_start(cfg, st, &c->scan, e) < 0) {
		free(c);
		return -1;
	}
	c->m = collect_scan_csv(c->scan);
	c->scanning = true;
	c->draft_row = -1;
	c->sel_pos = SIZE_MAX;
	c->redo_row = -1;
	strmap_init(&c->kept, true);
	/* text typed last session for photos passed over: back with them */
	char **kc, **kt;
	size_t nk = store_kept_drafts(st, &kc, &kt);
	for (size_t i = 0; i < nk; i++) {
		strmap_put(&c->kept, kc[i], kt[i]);
		free(kc[i]);
	}
	free(kc);
	free(kt);
	c->hc = series_cache_open(store_path(st));
	c->se = series_edits_open(store_path(st));
	c->sdirty = true;
	collect_poll(c);
	pthread_mutex_init(&c->dmu, NULL);
	c->drafts = sbq_new(sizeof(draft), 1, draft_rank, draft_free);
	c->dth_started = pthread_create(&c->dth, NULL, draft_main, c) == 0;
	*out = c;
	return 0;
}

char *collect_lost_notice(collector *c)
{
	return lost_rows_notice(c->st, c->m, c->cfg->media_csv, NULL);
}

void collect_close(collector *c)
{
	if (!c)
		return;
	sbq_stop(c->drafts);
	if (c->dth_started)
		pthread_join(c->dth, NULL); /* writes what is pending first */
	sbq_free(c->drafts);
	pthread_mutex_destroy(&c->dmu);
	collect_scan_free(c->scan);
	sb_err e;
	series_cache_save(c->hc, &e); /* a cache: a failure costs only time */
	series_cache_free(c->hc);
	series_edits_free(c->se);
	for (size_t i = 0; i < c->nrows; i++)
		free(c->local[i]);
	free(c->local);
	free(c->gone);
	free(c->rows);
	for (size_t i = 0; i < c->kept.n; i++)
		free(c->kept.e[i].ptr);
	strmap_free(&c->kept);
	free(c->redo_cesta);
	free(c->redo_local);
	free(c);
}

/* local[] and gone[] follow rows[] when the scan or a draft grows it. */
static void grow_side(collector *c, size_t old_cap)
{
	if (c->cap == old_cap)
		return;
	c->local = xrealloc(c->local, c->cap * sizeof *c->local);
	c->gone = xrealloc(c->gone, c->cap * sizeof *c->gone);
	memset(c->local + old_cap, 0, (c->cap - old_cap) * sizeof *c->local);
	memset(c->gone + old_cap, 0, (c->cap - old_cap) * sizeof *c->gone);
}

bool collect_poll(collector *c)
{
	if (!c->scanning)
		return false;
	size_t before = c->nrows, cap = c->cap;
	c->scanning = !collect_scan_take(c->scan, &c->rows, &c->nrows, &c->cap);
	grow_side(c, cap);
	/* the draft's photo is on the list already */
	for (size_t i = before; c->draft_row >= 0 && i < c->nrows; i++)
		if (c->rows[i] == (size_t)c->draft_row) {
			memmove(c->rows + i, c->rows + i + 1, (c->nrows - i - 1) * sizeof *c->rows);
			c->nrows--;
			c->draft_row = -1;
		}
	if (c->nrows != before)
		c->sdirty = true; /* more frames of the current series, maybe */
	return c->nrows != before || !c->scanning;
}

int collect_fd(collector *c)
{
	return c->scanning ? collect_scan_fd(c->scan) : -1;
}

bool collect_counting(collector *c)
{
	return c->scanning;
}

series_cache *collect_hash_cache(collector *c)
{
	return c->hc;
}

static const char *local_at(collector *c, size_t i)
{
	if (!c->local[i])
		c->local[i] = settings_map_path(c->cfg, mediacsv_field(c->m, c->rows[i], MC_CESTA));
	return c->local[i];
}

static const char *cesta_at(collector *c, size_t i)
{
	return mediacsv_field(c->m, c->rows[i], MC_CESTA);
}

/* Move the photo at position from to position to (rows, local, gone). */
static void move_slot(collector *c, size_t from, size_t to)
{
	size_t r = c->rows[from];
	char *l = c->local[from];
	unsigned char g = c->gone[from];
	if (to < from) {
		memmove(c->rows + to + 1, c->rows + to, (from - to) * sizeof *c->rows);
		memmove(c->local + to + 1, c->local + to, (from - to) * sizeof *c->local);
		memmove(c->gone + to + 1, c->gone + to, (from - to) * sizeof *c->gone);
	} else {
		memmove(c->rows + from, c->rows + from + 1, (to - from) * sizeof *c->rows);
		memmove(c->local + from, c->local + from + 1, (to - from) * sizeof *c->local);
		memmove(c->gone + from, c->gone + from + 1, (to - from) * sizeof *c->gone);
	}
	c->rows[to] = r;
	c->local[to] = l;
	c->gone[to] = g;
	c->sdirty = true;
}

/* The current photo's series: the photos of its folder a little ahead in
 * the list, grouped by the core's rule with the hashes known so far. */
static void series_refresh(collector *c)
{
	if (!c->sdirty)
		return;
	c->sdirty = false;
	while (c->cur < c->nrows && c->gone[c->cur])
		c->cur++;
	c->nfr = c->nwant = 0;
	if (c->cur >= c->nrows)
		return;
	size_t pos[SERIES_SCAN + 1], rows[SERIES_SCAN + 1], group[SERIES_SCAN + 1], n = 0;
	size_t rank[SERIES_SCAN + 1], frank[SERIES_SCAN + 1];
	bool pending[SERIES_SCAN + 1];
	series_photo here = { .cesta = cesta_at(c, c->cur) };
	size_t end = c->nrows - c->cur > 8 * SERIES_SCAN ? c->cur + 8 * SERIES_SCAN : c->nrows;
	for (size_t i = c->cur; i < end && n <= SERIES_SCAN; i++) {
		series_photo there = { .cesta = cesta_at(c, i) };
		if (c->gone[i] || !series_same_folder(&here, &there))
			continue;
		local_at(c, i);
		pos[n] = i;
		rows[n++] = c->rows[i];
	}
	collect_series(c->cfg, c->hc, c->se, c->m, rows, n, false, group, pending, rank);
	bool sel_in = false;
	for (size_t k = 0; k < n; k++) {
		if (group[k] == group[0]) {
			frank[c->nfr] = rank[k];
			c->fr[c->nfr++] = pos[k];
			sel_in |= pos[k] == c->sel_pos;
		}
		if (pending[k])
			c->want[c->nwant++] = pos[k];
	}
	/* frames in time order, as the camera took them (not the list's: a
	 * draft brought its photo to the front) */
	for (size_t k = 1; k < c->nfr; k++)
		for (size_t j = k; j > 0 && frank[j - 1] > frank[j]; j--) {
			size_t t = c->fr[j], r = frank[j];
			c->fr[j] = c->fr[j - 1];
			frank[j] = frank[j - 1];
			c->fr[j - 1] = t;
			frank[j - 1] = r;
		}
	/* a series is shown from its first frame */
	if (!sel_in)
		c->sel_pos = c->nfr > 1 ? c->fr[0] : c->cur;
}

/* The index of the shown frame in fr. */
static size_t sel_index(collector *c)
{
	for (size_t k = 0; k < c->nfr; k++)
		if (c->fr[k] == c->sel_pos)
			return k;
	return 0;
}

/* CSV row r's facts; its place is the current one's. */
static void photo_fill(collector *c, size_t r, const char *cesta, char *local, collect_photo *p)
{
	memset(p, 0, sizeof *p);
	p->row = r;
	p->cesta = cesta;
	p->local = local;
	p->soubor = mediacsv_field(c->m, r, MC_SOUBOR);
	p->kategorie = mediacsv_field(c->m, r, MC_KATEGORIE);
	p->datum = mediacsv_field(c->m, r, MC_DATUM_VYTVORENI);
	p->sirka = mediacsv_field(c->m, r, MC_SIRKA);
	p->vyska = mediacsv_field(c->m, r, MC_VYSKA);
	p->pos = c->cur + 1;
	p->total = c->nrows;
	p->counting = c->scanning;
}

static void photo_at(collector *c, size_t i, collect_photo *p)
{
	size_t r = c->rows[i];
	photo_fill(c, r, mediacsv_field(c->m, r, MC_CESTA), (char *)local_at(c, i), p);
	p->frame = sel_index(c) + 1;
	p->frames = c->nfr ? c->nfr : 1;
}

/* The photo re-edited (collect_redo_begin): not on the list, alone. */
static void redo_photo(collector *c, collect_photo *p)
{
	photo_fill(c, (size_t)c->redo_row, c->redo_cesta, c->redo_local, p);
	p->frame = p->frames = 1;
}

bool collect_current(collector *c, collect_photo *p)
{
	if (c->redo_row >= 0) {
		redo_photo(c, p);
		return true;
	}
	series_refresh(c);
	if (c->cur >= c->nrows)
		return false;
	photo_at(c, c->nfr > 1 ? c->sel_pos : c->cur, p);
	return true;
}

bool collect_frame(collector *c, size_t k, collect_photo *p)
{
	if (c->redo_row >= 0) {
		if (k == 0)
			redo_photo(c, p);
		return k == 0;
	}
	series_refresh(c);
	if (k >= c->nfr)
		return false;
	photo_at(c, c->fr[k], p);
	p->frame = k + 1;
	return true;
}

void collect_select(collector *c, int delta)
{
	series_refresh(c);
	if (c->nfr < 2)
		return;
	long k = (long)sel_index(c) + delta;
	if (k < 0)
		k = 0;
	if (k >= (long)c->nfr)
		k = (long)c->nfr - 1;
	c->sel_pos = c->fr[k];
}

size_t collect_hash_wanted(collector *c, const char **paths, size_t max)
{
	series_refresh(c);
	size_t n = 0;
	for (size_t k = 0; k < c->nwant && n < max; k++)
		if (local_at(c, c->want[k]))
			paths[n++] = local_at(c, c->want[k]);
	return n;
}

void collect_hashes_changed(collector *c)
{
	c->sdirty = true;
}

static bool is_frame(collector *c, size_t i)
{
	for (size_t k = 0; k < c->nfr; k++)
		if (c->fr[k] == i)
			return true;
	return false;
}

const char *collect_ahead(collector *c, size_t n)
{
	series_refresh(c);
	if (c->cur >= c->nrows)
		return NULL;
	if (n == 0)
		return local_at(c, c->nfr > 1 ? c->sel_pos : c->cur);
	/* the photos after this series */
	for (size_t i = c->cur + 1; i < c->nrows; i++)
		if (!c->gone[i] && !is_frame(c, i) && --n == 0)
			return local_at(c, i);
	return NULL;
}

/* The draft's photo to the front of what is left: from the list, else
 * from the CSV when the scan has not found it yet. */
static bool take_draft_row(collector *c, const char *cesta)
{
	for (size_t i = c->cur; i < c->nrows; i++)
		if (!c->gone[i] && strcmp(cesta_at(c, i), cesta) == 0) {
			move_slot(c, i, c->cur);
			return true;
		}
	long r = c->scanning ? mediacsv_find(c->m, cesta) : -1;
	if (r < 0 || !mediacsv_row_unprocessed(c->m, (size_t)r))
		return false;
	if (c->nrows + 1 > c->cap) {
		size_t cap = c->cap;
		c->cap = c->nrows + 64;
		c->rows = xrealloc(c->rows, c->cap * sizeof *c->rows);
		grow_side(c, cap);
	}
	c->rows[c->nrows] = (size_t)r;
	c->local[c->nrows] = NULL;
	c->gone[c->nrows] = GONE_NOT;
	c->nrows++;
	move_slot(c, c->nrows - 1, c->cur);
	c->draft_row = r;
	return true;
}

char *collect_take_draft(collector *c)
{
	char *cesta = NULL;
	char *text = collect_draft_load(c->cfg, c->st, &cesta);
	if (!text)
		return NULL;
	/* Start where the last session stopped, if that photo is still open;
	 * the scan may not have come to it yet. */
	if (!take_draft_row(c, cesta)) {
		free(cesta);
		free(text);
		return NULL;
	}
	free(cesta);
	return text;
}

/* The frames an action is for: the whole series, or the shown frame.  A
 * frame taken alone from the front of the list makes way for the next frame
 * of its series, so that the series stays current (not a photo between its
 * frames). */
static size_t targets(collector *c, bool frame_only, size_t *out)
{
	series_refresh(c);
	if (c->cur >= c->nrows)
		return 0;
	if (c->nfr < 2 || frame_only) {
		out[0] = c->nfr > 1 ? c->sel_pos : c->cur;
		if (c->nfr > 1 && out[0] == c->cur) {
			size_t next = c->fr[c->fr[0] == c->cur ? 1 : 0];
			move_slot(c, next, c->cur); /* the frame taken is now at cur + 1 */
			out[0] = c->cur + 1;
		}
		return 1;
	}
	memcpy(out, c->fr, c->nfr * sizeof *out);
	return c->nfr;
}

static void gone(collector *c, const size_t *pos, size_t n, gone_why why)
{
	for (size_t k = 0; k < n; k++)
		c->gone[pos[k]] = (unsigned char)why;
	c->sdirty = true;
}

int collect_save(collector *c, const char *text, bool editorial, const editorial_info *ed,
		 bool editorial_frame_only, bool *sealed, sb_err *e)
{
	size_t pos[SERIES_SCAN + 1], rows[SERIES_SCAN + 1];
	bool edf[SERIES_SCAN + 1];
	size_t n = targets(c, false, pos);
	if (!n)
		return sb_fail(e, SBE_GENERIC, "%s", _("there is no photo left to describe"));
	for (size_t k = 0; k < n; k++) {
		rows[k] = c->rows[pos[k]];
		edf[k] = editorial && (!editorial_frame_only || n == 1 || pos[k] == c->sel_pos);
	}
	draft_flush(c);
	if (collect_save_series(c->cfg, c->st, c->m, rows, n, text, edf, ed, sealed, e) < 0)
		return -1;
	gone(c, pos, n, GONE_SAVED);
	return 0;
}

int collect_reject(collector *c, bool frame_only, sb_err *e)
{
	size_t pos[SERIES_SCAN + 1];
	size_t n = targets(c, frame_only, pos);
	if (!n)
		return sb_fail(e, SBE_GENERIC, "%s", _("there is no photo left to describe"));
	draft_flush(c);
	for (size_t k = 0; k < n; k++) {
		if (collect_reject_photo(c->cfg, c->st, c->m, c->rows[pos[k]], e) < 0)
			return -1;
		gone(c, pos + k, 1, GONE_REJECTED);
	}
	return 0;
}

size_t collect_skip(collector *c, bool frame_only)
{
	size_t pos[SERIES_SCAN + 1];
	size_t n = targets(c, frame_only, pos);
	draft_flush(c);
	/* the text typed stays while other frames of its series are left */
	if (n && (!frame_only || c->nfr < 2))
		collect_skip_photo(c->st);
	/* a skip keeps nothing: text kept from a jump goes too */
	for (size_t k = 0; k < n; k++) {
		sb_err e2;
		store_drop_draft(c->st, cesta_at(c, pos[k]), &e2);
	}
	gone(c, pos, n, GONE_SKIPPED);
	return n;
}

int collect_detach(collector *c, sb_err *e)
{
	series_refresh(c);
	if (c->nfr < 2)
		return sb_fail(e, SBE_INPUT, "%s", _("this photo is not in a series"));
	size_t at = c->sel_pos, last = 0;
	for (size_t k = 0; k < c->nfr; k++)
		if (c->fr[k] > last)
			last = c->fr[k];
	if (series_edits_add(c->se, cesta_at(c, at), SERIES_DETACH, e) < 0)
		return -1;
	/* the series goes on from its next frame; the photo taken out comes
	 * right after the series, for a description of its own */
	if (at == c->cur)
		move_slot(c, at, last);
	c->sel_pos = SIZE_MAX; /* the first frame, once worked out again */
	c->sdirty = true;
	return 0;
}

int collect_split(collector *c, sb_err *e)
{
	series_refresh(c);
	if (c->nfr < 2)
		return sb_fail(e, SBE_INPUT, "%s", _("this photo is not in a series"));
	if (sel_index(c) == 0)
		return sb_fail(e, SBE_INPUT, "%s",
			       _("the series starts at this frame; show a later one (Page Down) to "
				 "split there"));
	if (series_edits_add(c->se, cesta_at(c, c->sel_pos), SERIES_SPLIT, e) < 0)
		return -1;
	c->sel_pos = SIZE_MAX; /* the first frame, once worked out again */
	c->sdirty = true;
	return 0;
}

int collect_draft(collector *c, const char *text, sb_err *e)
{
	collect_photo p;
	if (c->redo_row >= 0 || !collect_current(c, &p))
		return 0; /* the draft is the photo left's (its text is kept) */
	if (!c->dth_started)
		return collect_draft_save(c->st, p.cesta, text, e);
	draft d = { xstrdup(p.cesta), xstrdup(text) };
	if (!sbq_push(c->drafts, &d))
		draft_free(&d); /* stopped: collect_close is under way */
	int rc = 0;
	pthread_mutex_lock(&c->dmu);
	if (c->derr[0]) {
		rc = sb_fail(e, SBE_IO, "%s", c->derr);
		c->derr[0] = '\0';
	}
	pthread_mutex_unlock(&c->dmu);
	return rc;
}

bool collect_default_date(collector *c, char out[16])
{
	collect_photo p;
	series_facts f;
	if (!collect_current(c, &p)) /* nothing to describe: today */
		return collect_editorial_date(NULL, &(series_facts){ 0 }, out);
	bool known = p.local && series_cache_peek(c->hc, p.local, &f);
	return collect_editorial_date(p.datum, known ? &f : NULL, out);
}

size_t collect_items(collector *c, collect_item **out)
{
	series_refresh(c);
	size_t n = 0;
	collect_item *v = xmalloc((c->nrows ? c->nrows : 1) * sizeof *v);
	for (size_t i = c->cur; i < c->nrows; i++) {
		bool now = i == c->cur || is_frame(c, i);
		if (!c->gone[i])
			v[n++] = (collect_item){ cesta_at(c, i), now ? CI_CURRENT : CI_TODO };
	}
	for (size_t i = 0; i < c->nrows; i++)
		if (c->gone[i] == GONE_SKIPPED)
			v[n++] = (collect_item){ cesta_at(c, i), CI_SKIPPED };
	*out = v;
	return n;
}

/* The position of a photo open or skipped this session, or SIZE_MAX. */
static size_t find_open(collector *c, const char *cesta)
{
	for (size_t i = 0; i < c->nrows; i++)
		if ((c->gone[i] == GONE_NOT || c->gone[i] == GONE_SKIPPED) &&
		    strcmp(cesta_at(c, i), cesta) == 0)
			return i;
	return SIZE_MAX;
}

/* What was typed for the photo being left, kept for its return. */
static void keep_text(collector *c, const char *text)
{
	if (c->redo_row >= 0 || c->cur >= c->nrows)
		return;
	const char *cesta = cesta_at(c, c->cur);
	sm_entry *k = strmap_find(&c->kept, cesta);
	if (k) {
		free(k->ptr);
		strmap_del(&c->kept, cesta);
	}
	if (text && *text)
		strmap_put(&c->kept, cesta, xstrdup(text));
	/* on disk too: a crash must not lose it (the current draft, written
	 * just before, is this text; it moves under "kept") */
	draft_flush(c);
	sb_err e;
	if (store_keep_draft(c->st, cesta, text, &e) < 0)
		sb_log(LOG_WARN, "%s", e.msg);
}

/* The photo at position i open again: the current one, or with next right
 * after it.  Every photo before cur is gone, so one from there comes to
 * cur - 1 and cur steps back onto it. */
static void bring_back(collector *c, size_t i, bool next)
{
	if (i < c->cur) {
		move_slot(c, i, c->cur - 1);
		c->cur--;
		i = c->cur;
		if (next && c->cur + 1 < c->nrows) {
			move_slot(c, c->cur, c->cur + 1);
			i = c->cur + 1;
		}
	} else if (i > c->cur) {
		size_t to = next ? c->cur + 1 : c->cur;
		move_slot(c, i, to);
		i = to;
	}
	c->gone[i] = GONE_NOT;
	c->sel_pos = c->cur;
	c->sdirty = true;
}

bool collect_jump(collector *c, const char *cesta, const char *text)
{
	size_t i = find_open(c, cesta);
	if (i == SIZE_MAX)
		return false;
	keep_text(c, text);
	bring_back(c, i, false);
	return true;
}

bool collect_unskip(collector *c, const char *cesta)
{
	size_t i = find_open(c, cesta);
	if (i == SIZE_MAX || c->gone[i] != GONE_SKIPPED)
		return false;
	series_refresh(c);
	bring_back(c, i, true);
	return true;
}

char *collect_take_kept(collector *c)
{
	collect_photo p;
	if (c->redo_row >= 0 || !collect_current(c, &p))
		return NULL;
	const char *cesta = cesta_at(c, c->cur);
	char *text = strmap_get(&c->kept, cesta);
	if (text)
		strmap_del(&c->kept, cesta);
	return text;
}

bool collect_redo_begin(collector *c, const char *cesta, const char *text)
{
	long r = mediacsv_find(c->m, cesta);
	if (r < 0)
		return false;
	keep_text(c, text);
	free(c->redo_cesta);
	free(c->redo_local);
	c->redo_row = r;
	c->redo_cesta = xstrdup(cesta);
	c->redo_local = settings_map_path(c->cfg, cesta);
	return true;
}

void collect_redo_end(collector *c)
{
	c->redo_row = -1;
	free(c->redo_cesta);
	free(c->redo_local);
	c->redo_cesta = c->redo_local = NULL;
}

const char *collect_redoing(collector *c)
{
	return c->redo_row >= 0 ? c->redo_cesta : NULL;
}

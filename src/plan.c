/* plan.c: the pre-flight plan as data (see plan.h). */
#include "config.h"

#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "engine.h"
#include "i18n.h"
#include "strmap.h"

const char *plan_action_name(plan_action a)
{
	return a == PLAN_NEW        ? "new"
	       : a == PLAN_IN_BATCH ? "in_batch"
	       : a == PLAN_COPY     ? "copy"
				    : "skip";
}

const char *plan_media_name(mc_media k)
{
	return k == MC_IMAGE ? "image" : k == MC_VIDEO ? "video" : "other";
}

/* One unprocessed file: what would happen to it (collect.c's rule). */
static void plan_one(const settings *cfg, store *st, plan *p, plan_row *it)
{
	file_state fs = FS_PENDING;
	switch (collect_row_eligibility(cfg, st, p->m, it->row, it->batch, &fs)) {
	case COLLECT_IN_BATCH: {
		batch_info b;
		it->action = PLAN_IN_BATCH;
		it->bstate = store_get(st, it->batch, &b) == 0 ? b.state : BS_COLLECTING;
		file_entry fe;
		memset(&fe, 0, sizeof fe);
		it->fstate = FS_DESCRIPTION_SAVED;
		if (store_file_get(st, it->batch, it->cesta, &fe) == 0) {
			it->fstate = fe.state;
			file_entries_free(&fe, 1);
		}
		p->sum.in_batch++;
		break;
	}
	case COLLECT_MISSING: {
		char *local = settings_map_path(cfg, it->cesta);
		it->action = PLAN_SKIP;
		it->fstate = FS_FILE_NOT_FOUND;
		it->reason = xasprintf(_("file not found: %s"), local ? local : it->cesta);
		free(local);
		p->sum.skip++;
		p->sum.missing++;
		break;
	}
	case COLLECT_SETTLED:
		it->action = PLAN_SKIP;
		it->fstate = fs;
		it->reason = xstrdup(collect_settled_reason(fs));
		p->sum.skip++;
		break;
	case COLLECT_ELIGIBLE:
		it->action = PLAN_NEW;
		it->fstate = FS_PENDING;
		it->reason = it->media == MC_IMAGE
				     ? xstrdup(_("needs a description"))
				     : xstrdup(_("needs a description (text-only request)"));
		p->sum.n_new++;
		break;
	}
}

/* Batches: what send and retrieve would do next. */
static void plan_batches(store *st, plan_summary *sum)
{
	batch_info *bs = NULL;
	size_t nb = st ? store_list(st, &bs) : 0;
	for (size_t i = 0; i < nb; i++) {
		batch_state s = bs[i].state;
		/* the edited copies' batches ("alt_<tag>") wait for no batch size:
		 * the next send seals and sends them */
		if (s == BS_COLLECTING && bs[i].nfiles && strncmp(bs[i].kind, "alt_", 4) == 0)
			s = BS_READY;
		sum->bcount[s]++;
		sum->bfiles[s] += bs[i].nfiles;
		if (s == BS_READY)
			sum->ready_cost += bs[i].est_cost;
	}
	free(bs);
}

/* Edited copies made after their original was committed (engine/copies.c):
 * rows after the unprocessed ones. */
static void plan_late_copies(const settings *cfg, store *st, plan *p)
{
	late_copy *lc;
	size_t n = engine_late_copies(cfg, st, p->m, &lc);
	if (n == 0)
		return;
	p->rows = xrealloc(p->rows, (p->n + n) * sizeof *p->rows);
	for (size_t i = 0; i < n; i++) {
		plan_row *it = &p->rows[p->n++];
		memset(it, 0, sizeof *it);
		it->row = lc[i].orig_row;
		it->line = mediacsv_lineno(p->m, lc[i].orig_row);
		it->own = lc[i].cesta; /* moved */
		it->cesta = it->own;
		it->file = cesta_basename(it->own);
		it->media = mediacsv_media_kind(it->file);
		it->action = PLAN_COPY;
		it->fstate = FS_PENDING;
		it->reason = xasprintf(_("edited copy of %s, made after it was committed: the next "
					 "run adds its row and queues its text-only request"),
				       mediacsv_field(p->m, lc[i].orig_row, MC_SOUBOR));
		p->sum.late_copies++;
	}
	free(lc);
}

/* The new photos in series: each described once (collect_series). */
static void plan_series(const settings *cfg, plan *p)
{
	size_t *idx = xmalloc(sizeof(size_t) * (p->n ? p->n : 1)), n = 0;
	size_t *rows = xmalloc(sizeof(size_t) * (p->n ? p->n : 1));
	for (size_t i = 0; i < p->n; i++)
		if (p->rows[i].action == PLAN_NEW) {
			idx[n] = i;
			rows[n++] = p->rows[i].row;
		}
	size_t *group = xmalloc(sizeof(size_t) * (n ? n : 1));
	size_t *rank = xmalloc(sizeof(size_t) * (n ? n : 1));
	series_cache *hc = series_cache_open(cfg->state_dir);
	series_edits *se = series_edits_open(cfg->state_dir);
	collect_series(cfg, hc, se, p->m, rows, n, true, group, NULL, rank);
	sb_err e;
	series_cache_save(hc, &e); /* no state dir yet: made again next time */
	series_cache_free(hc);
	series_edits_free(se);
	/* series numbered in CSV order (leaders are group[] values), their
	 * frames in time order (rank) */
	size_t *count = xcalloc(n ? n : 1, sizeof *count), *seen = xcalloc(n ? n : 1, sizeof *seen);
	size_t *num = xcalloc(n ? n : 1, sizeof *num), next = 0;
	for (size_t k = 0; k < n; k++)
		count[group[k]]++;
	for (size_t k = 0; k < n; k++) {
		size_t lead = group[k];
		if (!seen[lead])
			p->sum.descriptions++;
		seen[lead]++;
		if (count[lead] < 2)
			continue;
		if (!num[lead]) {
			num[lead] = ++next;
			p->sum.series++;
		}
		plan_row *it = &p->rows[idx[k]];
		it->series = num[lead];
		it->frames = count[lead];
	}
	/* the frames in time order: rank is a permutation of 0..n-1 */
	size_t *byt = xmalloc(sizeof(size_t) * (n ? n : 1));
	for (size_t k = 0; k < n; k++)
		byt[rank[k]] = k;
	memset(seen, 0, sizeof(size_t) * (n ? n : 1));
	for (size_t t = 0; t < n; t++) {
		size_t k = byt[t];
		if (count[group[k]] > 1)
			p->rows[idx[k]].frame = ++seen[group[k]];
	}
	free(byt);
	free(rank);
	free(count);
	free(seen);
	free(num);
	free(group);
	free(rows);
	free(idx);
}

int plan_build(const settings *cfg, store *st, plan **out, sb_err *e)
{
	plan *p = xcalloc(1, sizeof *p);
	if (mediacsv_load(cfg->media_csv, &p->m, e) < 0) {
		free(p);
		return -1;
	}
	/* committed rows the CSV lost look unprocessed again: they are not
	 * "already committed", they are written again by the next retrieve */
	lost_rows lost;
	lost_rows_find(st, p->m, &lost);
	strmap lost_set;
	strmap_init(&lost_set, false);
	for (size_t i = 0; i < lost.n; i++)
		strmap_put(&lost_set, lost.cesta[i], lost.bid[i]);
	p->sum.missing_commits = lost.n;
	p->lost_msg = lost_rows_message(&lost, cfg->media_csv);
	size_t *rows = NULL;
	p->n = mediacsv_unprocessed(p->m, NULL, NULL, &rows);
	p->rows = xcalloc(p->n ? p->n : 1, sizeof *p->rows);
	p->sum.unprocessed = p->n;
	for (size_t i = 0; i < p->n; i++) {
		plan_row *it = &p->rows[i];
		it->row = rows[i];
		it->line = mediacsv_lineno(p->m, rows[i]);
		it->file = mediacsv_field(p->m, rows[i], MC_SOUBOR);
		it->cesta = mediacsv_field(p->m, rows[i], MC_CESTA);
		it->media = mediacsv_media_kind(it->file);
		plan_one(cfg, st, p, it);
		const char *lb = strmap_get(&lost_set, it->cesta);
		if (lb && it->action == PLAN_SKIP) {
			free(it->reason);
			it->reason = xasprintf(_("committed by batch %s but missing from the CSV: "
						 "written again by the next retrieve"),
					       lb);
		}
	}
	free(rows);
	plan_late_copies(cfg, st, p);
	strmap_free(&lost_set);
	lost_rows_free(&lost);
	plan_series(cfg, p);
	plan_batches(st, &p->sum);
	*out = p;
	return 0;
}

void plan_free(plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->rows[i].reason);
		free(p->rows[i].own);
	}
	free(p->rows);
	free(p->lost_msg);
	mediacsv_free(p->m);
	free(p);
}

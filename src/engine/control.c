/* control.c: batch control (seed 002): pause, resume, cancel (at the
 * provider, or before the send), retry-failed (dead-lettered files back
 * into a collecting batch), and send now (the collecting batch sealed). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_int.h"
#include "i18n.h"
#include "log.h"

int engine_pause(engine *en, const char *batch_id, sb_err *e)
{
	batch_info b;
	if (store_get(en->st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"),
			       batch_id);
	if (b.state == BS_PAUSED)
		return 0;
	return store_set_state(en->st, batch_id, BS_PAUSED, _("paused by the user"), e);
}

int engine_resume(engine *en, const char *batch_id, sb_err *e)
{
	batch_info b;
	if (store_get(en->st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"),
			       batch_id);
	if (b.state != BS_PAUSED)
		return sb_fail(e, SBE_CONFLICT, _("batch %s is %s, not paused"), batch_id,
			       batch_state_name(b.state));
	batch_state to = b.paused_from;
	if (to == BS_PAUSED || !batch_state_active(to))
		to = b.provider_batch_id[0] ? BS_SENT : BS_READY;
	/* a paused send that never got an id goes back to ready and is reconciled */
	if (to == BS_SENT && !b.provider_batch_id[0])
		to = BS_READY;
	/* a batch the provider has lost would only be paused again at the next
	 * poll: say so now (a network error leaves it to that poll) */
	provider *prov = to == BS_SENT ? eng_batch_provider(en, &b, e) : NULL;
	if (prov) {
		prov_batch pb;
		memset(&pb, 0, sizeof pb);
		int r = prov->ops->get(prov, b.provider_batch_id, &pb, e);
		prov_batch_clear(&pb);
		if (r < 0 && e->code == SBE_NOTFOUND)
			return sb_fail(
				e, SBE_CONFLICT,
				_("batch %s cannot be resumed: the provider does not know it any more; cancel it, then retry-failed sends its photos again"),
				batch_id);
	}
	sb_err_clear(e);
	return store_set_state(en->st, batch_id, to, "", e);
}

static void dead_all(engine *en, const char *bid, const char *why)
{
	file_entry *f;
	size_t n;
	if (store_files(en->st, bid, &f, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (!eng_fstate_final(f[i].state)) {
			eng_dead_letter(en, bid, &f[i], f[i].custom_id, why, NULL);
			eng_set_fstate(en, bid, f[i].cesta, FS_DEAD, why);
		}
	file_entries_free(f, n);
}

/* Cancelled here (nothing at the provider to cancel): its files become
 * dead letters with the reason why, which retry-failed queues again. */
static int cancel_here(engine *en, const char *batch_id, const char *why, sb_err *e)
{
	if (store_set_state(en->st, batch_id, BS_CANCELLED, _("cancelled by the user"), e) < 0)
		return -1;
	dead_all(en, batch_id, why);
	char *ip = eng_intent_path(en, batch_id);
	unlink(ip);
	free(ip);
	return 0;
}

int engine_cancel(engine *en, const char *batch_id, sb_err *e)
{
	batch_info b;
	if (store_get(en->st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"),
			       batch_id);
	bool at_provider =
		b.provider_batch_id[0] &&
		(b.state == BS_SENT || (b.state == BS_PAUSED && b.paused_from == BS_SENT));
	if (at_provider) {
		provider *prov = eng_batch_provider(en, &b, e);
		if (!prov)
			return -1;
		prov_batch pb;
		memset(&pb, 0, sizeof pb);
		int cr = prov->ops->cancel(prov, b.provider_batch_id, &pb, e);
		prov_batch_clear(&pb);
		if (cr < 0 && e->code == SBE_NOTFOUND) {
			/* nothing is left there to cancel or download: cancelled
			 * here, its files dead-lettered for retry-failed */
			sb_err_clear(e);
			if (cancel_here(en, batch_id,
					_("the provider no longer knew the batch; retry-failed sends it again"),
					e) < 0)
				return -1;
			sb_log(LOG_INFO, _("batch %s cancelled; retry-failed sends its photos again"),
			       batch_id);
			return 0;
		}
		if (cr < 0 && e->code != SBE_CONFLICT)
			return -1;
		/* what completed is downloaded when the provider reports it cancelled */
		if (b.state == BS_PAUSED)
			store_set_state(en->st, batch_id, BS_SENT, _("cancelling"), e);
		sb_log(LOG_INFO, _("batch %s: cancel requested; finished items will be kept"),
		       batch_id);
		return 0;
	}
	if (!batch_state_active(b.state))
		return sb_fail(e, SBE_CONFLICT, _("batch %s is already %s"), batch_id,
			       batch_state_name(b.state));
	return cancel_here(en, batch_id,
			   _("the batch was cancelled before it was sent; retry-failed resends it"), e);
}

/* A dead letter queued again is saved again: its fingerprint is the row's
 * as it is now (a row changed by someone else since the first save is
 * then written, not refused again).  Unchanged when the row is not found. */
static void refresh_fingerprint(const mediacsv *m, file_entry *g)
{
	long r = m && !g->alt_of ? mediacsv_find(m, g->cesta) : -1;
	if (r >= 0)
		mediacsv_fingerprint(m, (size_t)r, g->fingerprint);
}

int engine_retry_failed(engine *en, size_t *requeued, sb_err *e)
{
	mediacsv *m = NULL;
	sb_err le;
	if (mediacsv_load(en->cfg->media_csv, &m, &le) < 0)
		m = NULL; /* the commit still checks every row */
	batch_info *bs;
	size_t n = store_list(en->st, &bs), k = 0;
	char target[24][40];
	size_t ntarget = 0;
	for (size_t i = 0; i < n; i++) {
		file_entry *f;
		size_t nf;
		if (store_files(en->st, bs[i].id, &f, &nf) < 0)
			continue;
		for (size_t j = 0; j < nf; j++) {
			if (f[j].state != FS_DEAD)
				continue;
			char held[40];
			file_state known;
			if (store_file_batch(en->st, f[j].cesta, held))
				continue;
			if (store_file_known(en->st, f[j].cesta, &known) &&
			    known == FS_SAVED_TO_CSV)
				continue;
			batch_info cb;
			if (store_collecting(en->st, bs[i].kind, bs[i].provider, bs[i].model, &cb,
					     e) < 0) {
				file_entries_free(f, nf);
				free(bs);
				mediacsv_free(m);
				return -1;
			}
			file_entry g = f[j];
			g.state = FS_DESCRIPTION_SAVED;
			g.custom_id = NULL;
			g.reason = NULL;
			g.attempts = 0;
			refresh_fingerprint(m, &g);
			sb_err ae;
			if (store_add_file(en->st, cb.id, &g, &ae) == 0) {
				k++;
				bool have = false;
				for (size_t t = 0; t < ntarget; t++)
					have |= strcmp(target[t], cb.id) == 0;
				if (!have && ntarget < 24)
					snprintf(target[ntarget++], 40, "%s", cb.id);
			}
		}
		file_entries_free(f, nf);
	}
	free(bs);
	mediacsv_free(m);
	for (size_t t = 0; t < ntarget; t++) {
		sb_err se;
		store_set_state(en->st, target[t], BS_READY, NULL, &se);
	}
	if (requeued)
		*requeued = k;
	return 0;
}

int engine_seal_now(engine *en, sb_err *e)
{
	batch_info *bs;
	size_t n = store_list(en->st, &bs);
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (bs[i].state == BS_COLLECTING && bs[i].nfiles > 0 &&
		    store_set_state(en->st, bs[i].id, BS_READY, NULL, e) < 0)
			rc = -1;
	free(bs);
	return rc;
}

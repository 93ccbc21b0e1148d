/* registry.c: the global file registry in memory: which active batch holds
 * a file (no file in two active batches), and where each file was last
 * rejected, skipped, committed or dead-lettered. */
#include "config.h"
#include "store_int.h"
#include "i18n.h"
#include "log.h"

#include <string.h>

/* The known-file registry: a file's last state, by batch.  A commit is
 * final: another batch's dead letter, reject or skip of the same file
 * (an older attempt that sorts later) never hides it, or retry-failed
 * would send a committed photo again. */
void reg_known_put(strmap *known, const char *cesta, void *b, int st)
{
	bool added;
	sm_entry *kn = strmap_add(known, cesta, &added);
	if (!added && kn->ptr != b && kn->aux == FS_SAVED_TO_CSV && st != FS_SAVED_TO_CSV)
		return;
	kn->ptr = b;
	kn->aux = st;
}

/* Registry bookkeeping for one entry of b moving from old to new state
 * (old < 0: new entry; new < 0: removed). */
void reg_move(store *s, brec *b, const char *cesta, int old, int new_)
{
	bool act = batch_state_active(b->info.state);
	bool was = act && old >= 0 && fs_registered((file_state)old);
	bool is = act && new_ >= 0 && fs_registered((file_state)new_);
	if (was && !is && strmap_get(&s->active, cesta) == b)
		strmap_del(&s->active, cesta);
	if (is)
		strmap_put(&s->active, cesta, b);
	if (new_ >= 0 && file_state_settled((file_state)new_))
		reg_known_put(&s->known, cesta, b, new_);
	else if (strmap_get(&s->known, cesta) == b)
		strmap_del(&s->known, cesta);
	if (old >= 0)
		b->info.counts[old]--;
	if (new_ >= 0)
		b->info.counts[new_]++;
	if (old < 0 && new_ >= 0)
		b->info.nfiles++;
	if (old >= 0 && new_ < 0)
		b->info.nfiles--;
}

/* Holder of cesta in another active batch, or NULL. */
brec *reg_conflict(store *s, brec *b, const char *cesta)
{
	brec *h = strmap_get(&s->active, cesta);
	return h && h != b ? h : NULL;
}

/* Drop every known-registry entry pointing at b. */
void reg_known_drop(store *s, brec *b)
{
	for (size_t i = s->known.n; i-- > 0;)
		if (s->known.e[i].ptr == b)
			strmap_del_at(&s->known, i);
}

bool store_file_batch(store *s, const char *cesta, char batch_id[40])
{
	LOCK(s);
	brec *b = cesta ? strmap_get(&s->active, cesta) : NULL;
	if (b && batch_id)
		snprintf(batch_id, 40, "%s", b->info.id);
	UNLOCK(s);
	return b != NULL;
}

bool store_file_known(store *s, const char *cesta, file_state *state)
{
	LOCK(s);
	sm_entry *kn = cesta ? strmap_find(&s->known, cesta) : NULL;
	bool r = kn && file_state_settled((file_state)kn->aux);
	if (r && state)
		*state = (file_state)kn->aux;
	UNLOCK(s);
	return r;
}

bool store_file_committed_by(store *s, const char *cesta, char batch_id[40])
{
	LOCK(s);
	sm_entry *kn = cesta ? strmap_find(&s->known, cesta) : NULL;
	bool r = kn && kn->aux == FS_SAVED_TO_CSV;
	if (r && batch_id)
		snprintf(batch_id, 40, "%s", ((brec *)kn->ptr)->info.id);
	UNLOCK(s);
	return r;
}

/* Both registries at open, oldest batch first: a file claimed twice stays
 * with its first batch, and the second claim is reported. */
void reg_build(store *s)
{
	for (size_t i = 0; i < s->nb; i++) {
		brec *b = s->b[i];
		bool act = batch_state_active(b->info.state);
		if (b->summary)
			summary_register(s, b);
		for (size_t j = 0; j < b->nslots; j++) {
			file_entry *f = &b->files[j];
			if (!f->cesta)
				continue;
			if (file_state_settled(f->state))
				reg_known_put(&s->known, f->cesta, b, (int)f->state);
			if (!act || !fs_registered(f->state))
				continue;
			brec *h = strmap_get(&s->active, f->cesta);
			if (h)
				sb_log(LOG_ERROR,
				       _("%s is in two active batches (%s and %s); cancel one of them"),
				       f->cesta, h->info.id, b->info.id);
			else
				strmap_put(&s->active, f->cesta, b);
		}
	}
}

/* Can b become active (state to)?  Not while one of its files is held by
 * another active batch. */
int reg_batch_claim(store *s, brec *b, batch_state to, sb_err *e)
{
	for (size_t i = 0; i < b->nslots; i++) {
		file_entry *f = &b->files[i];
		brec *h;
		if (f->cesta && fs_registered(f->state) && (h = reg_conflict(s, b, f->cesta)))
			return sb_fail(e, SBE_CONFLICT,
				       _("batch %s cannot become %s: %s is already in batch %s"),
				       b->info.id, batch_state_name(to), f->cesta, h->info.id);
	}
	return 0;
}

/* b became active (its files now held) or finished (released). */
void reg_batch_moved(store *s, brec *b, bool active)
{
	for (size_t i = 0; i < b->nslots; i++) {
		file_entry *f = &b->files[i];
		if (!f->cesta || !fs_registered(f->state))
			continue;
		if (active)
			strmap_put(&s->active, f->cesta, b);
		else if (strmap_get(&s->active, f->cesta) == b)
			strmap_del(&s->active, f->cesta);
	}
}

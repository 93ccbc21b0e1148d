/* uploads.c: the upload intent (SPEC 12: nothing a kill leaves behind is
 * paid for or kept).  A kill -9 between an input file's upload and its id
 * reaching the store would leave the file at the provider, known to no
 * one: OpenAI keeps it against the organisation's file storage, Gemini for
 * 48 h.  So every upload goes under a name that says its batch
 * (eng_upload_name), behind an intent file written before it and removed
 * once the store holds the id; a run that finds the intent lists the
 * provider's files and deletes those named for the batch that are not its
 * recorded input file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "engine_int.h"
#include "i18n.h"
#include "log.h"

char *eng_upload_name(const char *bid)
{
	return xasprintf("stockbatch-%s.jsonl", bid);
}

static char *intent_path(engine *en, const char *bid)
{
	return store_batch_path(en->st, bid, "upload-intent.json");
}

int eng_upload_intent(engine *en, const batch_info *b, sb_err *e)
{
	char *ip = intent_path(en, b->id), *name = eng_upload_name(b->id);
	sbuf t = { 0 };
	sbuf_adds(&t, "{\"batch\":");
	prov_json_str(&t, b->id);
	sbuf_adds(&t, ",\"provider\":");
	prov_json_str(&t, en->prov->ops->name);
	sbuf_adds(&t, ",\"name\":");
	prov_json_str(&t, name);
	sbuf_printf(&t, ",\"time\":%lld}\n", (long long)time(NULL));
	int rc = atomic_write(ip, t.p, t.len, 0600, e);
	sbuf_free(&t);
	free(name);
	free(ip);
	return rc;
}

void eng_upload_done(engine *en, const char *bid)
{
	char *ip = intent_path(en, bid);
	unlink(ip);
	free(ip);
}

/* The files named for b at prov, other than its recorded input file, deleted;
 * 0 when none is left. */
static int delete_named(provider *prov, const batch_info *b, const char *name)
{
	prov_file *fs = NULL;
	size_t n = 0;
	sb_err e;
	sb_err_clear(&e);
	if (!prov->ops->list_files || prov->ops->list_files(prov, &fs, &n, &e) < 0) {
		sb_log(LOG_WARN, _("batch %s: cannot list the provider's files to find an upload a crash left: %s"),
		       b->id, e.msg[0] ? e.msg : "-");
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fs[i].name, name) != 0 || !strcmp(fs[i].id, b->input_file_id))
			continue;
		sb_err de;
		sb_err_clear(&de);
		if (prov->ops->delete_file(prov, fs[i].id, &de) < 0) {
			sb_log(LOG_WARN, _("batch %s: provider file %s not deleted: %s"), b->id,
			       fs[i].id, de.msg);
			rc = -1;
			continue;
		}
		sb_log(LOG_INFO,
		       _("batch %s: deleted the provider file %s, uploaded by a send that stopped before saving its id"),
		       b->id, fs[i].id);
	}
	free(fs);
	return rc;
}

void eng_upload_sweep(engine *en, const batch_info *b)
{
	char *ip = intent_path(en, b->id);
	if (!file_exists(ip)) { /* the usual case */
		free(ip);
		return;
	}
	/* a torn intent (the kill came while it was written) was this run's provider's */
	json_object *j = json_object_from_file(ip);
	free(ip);
	batch_info at = *b;
	const char *pn = prov_jstr(j, "provider");
	snprintf(at.provider, sizeof at.provider, "%s",
		 pn && provider_lookup(pn) ? pn : en->prov->ops->name);
	sb_err pe;
	sb_err_clear(&pe);
	provider *prov = eng_batch_provider(en, &at, &pe);
	char *name = eng_upload_name(b->id);
	if (!prov)
		sb_log(LOG_WARN, "%s", pe.msg);
	else if (delete_named(prov, b, name) == 0)
		eng_upload_done(en, b->id);
	free(name);
	json_object_put(j);
}

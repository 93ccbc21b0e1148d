/* report.c: batch and run reports (SPEC 6.5): counts with percentages,
 * estimate vs actual cost, durations; text for people, JSON for scripts. */
#include "config.h"

#include <string.h>
#include <json-c/json.h>

#include "i18n.h"
#include "report.h"

static double pct(size_t part, size_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void read_extra(store *st, const char *bid, batch_extra *x)
{
	memset(x, 0, sizeof *x);
	char *p = store_batch_path(st, bid, "report.json");
	json_object *o = json_object_from_file(p);
	free(p);
	if (!o)
		return;
	json_object *ex, *v;
	if (json_object_object_get_ex(o, "extra", &ex)) {
#define GET(f)                                                       \
	if (json_object_object_get_ex(ex, #f, &v))                   \
		x->f = (__typeof__(x->f))json_object_get_int64(v);
		GET(succeeded) GET(repaired) GET(retried) GET(failed) GET(unknown_ids)
		GET(conflicts) GET(in_tokens) GET(out_tokens)
#undef GET
	}
	json_object_put(o);
}

static json_object *batch_json(const batch_info *b, const batch_extra *x)
{
	json_object *o = json_object_new_object();
	char ts[32];
	json_object_object_add(o, "id", json_object_new_string(b->id));
	json_object_object_add(o, "kind", json_object_new_string(b->kind));
	json_object_object_add(o, "provider", json_object_new_string(b->provider));
	json_object_object_add(o, "model", json_object_new_string(b->model));
	json_object_object_add(o, "state", json_object_new_string(batch_state_name(b->state)));
	json_object_object_add(o, "provider_batch_id", json_object_new_string(b->provider_batch_id));
	json_object_object_add(o, "note", json_object_new_string(b->note));
	if (b->created) {
		time_iso(b->created, ts);
		json_object_object_add(o, "created", json_object_new_string(ts));
	}
	if (b->sent) {
		time_iso(b->sent, ts);
		json_object_object_add(o, "sent", json_object_new_string(ts));
	}
	if (b->completed) {
		time_iso(b->completed, ts);
		json_object_object_add(o, "completed", json_object_new_string(ts));
	}
	if (b->sent && b->completed)
		json_object_object_add(o, "duration_s",
				       json_object_new_int64((int64_t)(b->completed - b->sent)));
	json_object_object_add(o, "files", json_object_new_int64((int64_t)b->nfiles));
	json_object *c = json_object_new_object();
	for (int s = 0; s < FS__COUNT; s++)
		json_object_object_add(c, file_state_name((file_state)s),
				       json_object_new_int64((int64_t)b->counts[s]));
	json_object_object_add(o, "counts", c);
	size_t failed = b->counts[FS_DEAD] + b->counts[FS_ERROR];
	size_t ok = b->counts[FS_SAVED_TO_CSV];
	json_object_object_add(o, "succeeded_pct", json_object_new_double(pct(ok, b->nfiles)));
	json_object_object_add(o, "failed_pct", json_object_new_double(pct(failed, b->nfiles)));
	json_object_object_add(o, "est_cost", json_object_new_double(b->est_cost));
	json_object_object_add(o, "actual_cost", json_object_new_double(b->actual_cost));
	json_object_object_add(o, "est_tokens", json_object_new_int64(b->est_tokens));
	if (x) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "succeeded", json_object_new_int64((int64_t)x->succeeded));
		json_object_object_add(e, "repaired", json_object_new_int64((int64_t)x->repaired));
		json_object_object_add(e, "retried", json_object_new_int64((int64_t)x->retried));
		json_object_object_add(e, "failed", json_object_new_int64((int64_t)x->failed));
		json_object_object_add(e, "unknown_ids", json_object_new_int64((int64_t)x->unknown_ids));
		json_object_object_add(e, "conflicts", json_object_new_int64((int64_t)x->conflicts));
		json_object_object_add(e, "in_tokens", json_object_new_int64(x->in_tokens));
		json_object_object_add(e, "out_tokens", json_object_new_int64(x->out_tokens));
		json_object_object_add(o, "extra", e);
	}
	return o;
}

static void batch_text(const batch_info *b, const batch_extra *x, FILE *out)
{
	size_t n = b->nfiles;
	size_t ok = b->counts[FS_SAVED_TO_CSV];
	size_t dead = b->counts[FS_DEAD], err = b->counts[FS_ERROR];
	size_t missing = b->counts[FS_FILE_NOT_FOUND];
	fprintf(out, _("Batch %s (%s, %s %s): %s\n"), b->id, b->kind, b->provider, b->model,
		batch_state_name(b->state));
	if (b->note[0])
		fprintf(out, _("  Note: %s\n"), b->note);
	fprintf(out, _("  Files: %zu\n"), n);
	fprintf(out, _("  Committed: %zu (%.1f%%)\n"), ok, pct(ok, n));
	fprintf(out, _("  Repaired: %zu  Retried live: %zu\n"), x->repaired, x->retried);
	fprintf(out, _("  Failed: %zu (%.1f%%): dead-lettered %zu, errors %zu\n"), dead + err,
		pct(dead + err, n), dead, err);
	fprintf(out, _("  Skipped: %zu (file not found %zu)\n"),
		missing + b->counts[FS_SKIPPED] + b->counts[FS_REJECTED], missing);
	size_t waiting = b->counts[FS_DESCRIPTION_SAVED] + b->counts[FS_BATCH_SENT] +
			 b->counts[FS_BATCH_COMPLETED] + b->counts[FS_PENDING];
	if (waiting)
		fprintf(out, _("  Waiting: %zu\n"), waiting);
	if (x->unknown_ids)
		fprintf(out, _("  Unknown result ids ignored: %zu\n"), x->unknown_ids);
	fprintf(out, _("  Cost: estimate $%.4f, actual $%.4f\n"), b->est_cost, b->actual_cost);
	if (b->sent && b->completed)
		fprintf(out, _("  Duration: %lld s at the provider\n"),
			(long long)(b->completed - b->sent));
	if (dead)
		fprintf(out, _("  Dead letters: %s/%s/deadletter.jsonl (retry-failed resends them)\n"),
			"STATE_DIR", b->id);
}

static bool failed_state(file_state s)
{
	return s == FS_DEAD || s == FS_ERROR || s == FS_FILE_NOT_FOUND;
}

int report_batch(store *st, const char *batch_id, bool json, FILE *out)
{
	batch_info b;
	if (store_get(st, batch_id, &b) < 0) {
		fprintf(stderr, _("stockbatch: no batch %s: see `stockbatch status` for the ids\n"),
			batch_id);
		return -1;
	}
	batch_extra x;
	read_extra(st, batch_id, &x);
	/* the dead letters and errors, each with its reason (SPEC 6.4) */
	file_entry *f = NULL;
	size_t nf = 0;
	if (store_files(st, batch_id, &f, &nf) < 0)
		nf = 0;
	if (json) {
		json_object *o = batch_json(&b, &x);
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < nf; i++) {
			if (!failed_state(f[i].state))
				continue;
			json_object *d = json_object_new_object();
			json_object_object_add(d, "cesta", json_object_new_string(f[i].cesta));
			json_object_object_add(d, "state", json_object_new_string(file_state_name(f[i].state)));
			json_object_object_add(d, "reason", json_object_new_string(f[i].reason ? f[i].reason : ""));
			json_object_object_add(d, "attempts", json_object_new_int(f[i].attempts));
			json_object_array_add(a, d);
		}
		json_object_object_add(o, "failed_items", a);
		fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else {
		batch_text(&b, &x, out);
		for (size_t i = 0; i < nf; i++)
			if (failed_state(f[i].state))
				fprintf(out, _("    %s: %s (%s)\n"), f[i].cesta,
					f[i].reason ? f[i].reason : "?", file_state_name(f[i].state));
	}
	if (f)
		file_entries_free(f, nf);
	return 0;
}

int report_all(store *st, bool json, FILE *out)
{
	batch_info *bs;
	size_t n = store_list(st, &bs);
	if (json) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++) {
			batch_extra x;
			read_extra(st, bs[i].id, &x);
			json_object_array_add(a, batch_json(&bs[i], &x));
		}
		fprintf(out, "%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY));
		json_object_put(a);
	} else {
		for (size_t i = 0; i < n; i++) {
			batch_extra x;
			read_extra(st, bs[i].id, &x);
			batch_text(&bs[i], &x, out);
		}
		if (n == 0)
			fprintf(out, _("No batches yet.\n"));
	}
	free(bs);
	return 0;
}

void report_run(const run_report *r, bool json, FILE *out)
{
	size_t decided = r->succeeded + r->failed + r->skipped;
	if (json) {
		json_object *o = json_object_new_object();
#define N(f) json_object_object_add(o, #f, json_object_new_int64((int64_t)r->f))
		N(sent); N(succeeded); N(repaired); N(retried); N(failed); N(skipped);
		N(committed); N(conflicts); N(batches_sent); N(batches_done); N(still_waiting);
#undef N
		json_object_object_add(o, "succeeded_pct", json_object_new_double(pct(r->succeeded, decided)));
		json_object_object_add(o, "failed_pct", json_object_new_double(pct(r->failed, decided)));
		json_object_object_add(o, "est_cost", json_object_new_double(r->est_cost));
		json_object_object_add(o, "actual_cost", json_object_new_double(r->actual_cost));
		json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
		fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return;
	}
	fprintf(out, _("Summary:\n"));
	fprintf(out, _("  Sent: %zu in %zu batches\n"), r->sent, r->batches_sent);
	fprintf(out, _("  Succeeded: %zu (%.1f%%), repaired %zu, retried %zu\n"), r->succeeded,
		pct(r->succeeded, decided), r->repaired, r->retried);
	fprintf(out, _("  Failed: %zu (%.1f%%), conflicts %zu\n"), r->failed, pct(r->failed, decided),
		r->conflicts);
	fprintf(out, _("  Skipped: %zu (%.1f%%)\n"), r->skipped, pct(r->skipped, decided));
	fprintf(out, _("  Batches finished: %zu, still at the provider: %zu\n"), r->batches_done,
		r->still_waiting);
	fprintf(out, _("  Cost: estimate $%.4f, actual $%.4f\n"), r->est_cost, r->actual_cost);
	fprintf(out, _("  Duration: %.1f s\n"), r->seconds);
}

int report_batch_write(store *st, const char *batch_id, const batch_extra *x, sb_err *e)
{
	batch_info b;
	if (store_get(st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s"), batch_id);
	json_object *o = batch_json(&b, x);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	char *p = store_batch_path(st, batch_id, "report.json");
	int rc = atomic_write(p, s, strlen(s), 0644, e);
	free(p);
	json_object_put(o);
	return rc;
}

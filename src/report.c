/* report.c: batch and run reports (SPEC 6.5): counts with percentages,
 * estimate vs actual cost, durations; text for people, JSON for scripts.
 * The command line, the TUI and the engine's report.json all use these. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "advisor.h"
#include "i18n.h"
#include "mediacsv.h"
#include "report.h"

/* ---- shared helpers ---------------------------------------------------------------- */

static unsigned json_printed;

void report_json_print(json_object *o, FILE *out)
{
	/* The schema's version first, then the command's keys. */
	json_object *top = json_object_new_object();
	report_jadd_int(top, "schema", REPORT_JSON_SCHEMA);
	json_object_object_foreach(o, k, v) json_object_object_add(top, k, json_object_get(v));
	json_object_put(o);
	fputs(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE),
	      out);
	fputc('\n', out);
	json_object_put(top);
	json_printed++;
}

unsigned report_json_printed(void)
{
	return json_printed;
}

void report_jadd_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

void report_jadd_int(json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* num, printed by a "%f"-like format, as the JSON number: a point whatever
 * the locale's decimal sign, no trailing zeros past the first decimal. */
static void jadd_text(json_object *o, const char *k, char *num)
{
	char *comma = strchr(num, ',');
	if (comma)
		*comma = '.';
	size_t n = strlen(num);
	if (strchr(num, '.') && !strpbrk(num, "eE"))
		while (n > 2 && num[n - 1] == '0' && num[n - 2] != '.')
			num[--n] = '\0';
	if (!strcmp(num, "-0.0"))
		memmove(num, num + 1, strlen(num));
	json_object_object_add(o, k, json_object_new_double_s(strtod(num, NULL), num));
}

/* v with at most `places` decimals, written as such ("0.008991", not
 * 0.0089913749999999994). */
static void jadd_rounded(json_object *o, const char *k, double v, int places)
{
	char num[64];
	snprintf(num, sizeof num, "%.*f", places, v);
	jadd_text(o, k, num);
}

void report_jadd_dbl(json_object *o, const char *k, double v)
{
	char num[64];
	snprintf(num, sizeof num, "%.10g", v);
	if (!strpbrk(num, ".,eEni")) /* a whole number stays a float: 2.0 */
		strcat(num, ".0");
	jadd_text(o, k, num);
}

void report_jadd_cost(json_object *o, const char *k, double usd)
{
	jadd_rounded(o, k, usd, 6);
}

void report_jadd_seconds(json_object *o, const char *k, double s)
{
	jadd_rounded(o, k, s, 3);
}

void report_jadd_ratio(json_object *o, const char *k, double r)
{
	jadd_rounded(o, k, r, 4);
}

void report_jadd_time(json_object *o, const char *k, time_t t)
{
	if (t <= 0) {
		json_object_object_add(o, k, NULL);
		return;
	}
	char iso[32];
	time_iso(t, iso);
	report_jadd_str(o, k, iso);
}

void report_pad(FILE *out, const char *s, int width, bool right)
{
	int n = (int)utf8_chars(s);
	if (right)
		for (int i = n; i < width; i++)
			fputc(' ', out);
	fputs(s, out);
	if (!right)
		for (int i = n; i < width; i++)
			fputc(' ', out);
}

void report_fmt_duration(double s, char *out, size_t cap)
{
	if (s < 0)
		snprintf(out, cap, "?");
	else if (s < 60)
		snprintf(out, cap, "%.0fs", s);
	else if (s < 3600)
		snprintf(out, cap, "%dm%02ds", (int)s / 60, (int)s % 60);
	else if (s < 86400 * 2)
		snprintf(out, cap, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
	else
		snprintf(out, cap, "%dd", (int)(s / 86400));
}

void report_fmt_age(time_t t, char *out, size_t cap)
{
	if (t <= 0) {
		snprintf(out, cap, "-");
		return;
	}
	double d = difftime(time(NULL), t);
	report_fmt_duration(d < 0 ? 0 : d, out, cap);
}

size_t report_count_failed(const batch_info *b)
{
	size_t n = 0;
	for (int s = 0; s < FS__COUNT; s++)
		if (file_state_failed((file_state)s))
			n += b->counts[s];
	return n;
}

size_t report_count_done(const batch_info *b)
{
	return b->counts[FS_SAVED_TO_CSV];
}

json_object *report_batch_info_json(const batch_info *b)
{
	json_object *o = json_object_new_object();
	report_jadd_str(o, "id", b->id);
	report_jadd_str(o, "kind", b->kind);
	report_jadd_str(o, "state", batch_state_name(b->state));
	if (b->state == BS_PAUSED)
		report_jadd_str(o, "paused_from", batch_state_name(b->paused_from));
	report_jadd_str(o, "provider", b->provider);
	report_jadd_str(o, "model", b->model);
	report_jadd_str(o, "provider_batch_id",
			b->provider_batch_id[0] ? b->provider_batch_id : NULL);
	report_jadd_int(o, "files", (long long)b->nfiles);
	json_object *cn = json_object_new_object();
	for (int s = 0; s < FS__COUNT; s++) /* every state, zeros too */
		report_jadd_int(cn, file_state_name((file_state)s), (long long)b->counts[s]);
	json_object_object_add(o, "counts", cn);
	report_jadd_time(o, "created", b->created);
	report_jadd_time(o, "sent", b->sent);
	report_jadd_time(o, "completed", b->completed);
	report_jadd_int(o, "age_seconds",
			b->created > 0 ? (long long)difftime(time(NULL), b->created) : 0);
	report_jadd_cost(o, "est_cost", b->est_cost);
	report_jadd_cost(o, "actual_cost", b->actual_cost);
	report_jadd_int(o, "attempts", b->attempts);
	report_jadd_str(o, "note", b->note[0] ? b->note : NULL);
	return o;
}

/* "  LABEL      12   80.0%": a count with its share of total ("-" of
 * nothing), in aligned columns. */
static void count_row(FILE *out, const char *label, int width, size_t v, size_t total)
{
	fputs("  ", out);
	report_pad(out, label, width, false);
	char num[32];
	snprintf(num, sizeof num, "%zu", v);
	report_pad(out, num, 8, true);
	if (total)
		fprintf(out, "  %5.1f%%\n", 100.0 * (double)v / (double)total);
	else
		fputs("       -\n", out);
}

/* ---- one batch --------------------------------------------------------------------- */

/* The engine's figures the store does not keep (repaired, retried, tokens):
 * the "extra" object of BATCH/report.json, NULL when there is none. */
static json_object *read_extra(store *st, const char *id)
{
	char *p = store_batch_path(st, id, "report.json");
	json_object *o = p && file_exists(p) ? json_object_from_file(p) : NULL, *ex = NULL;
	free(p);
	if (o && json_object_object_get_ex(o, "extra", &ex))
		json_object_get(ex);
	else
		ex = NULL;
	json_object_put(o);
	return ex;
}

bool report_batch_extra(store *st, const char *id, batch_extra *x)
{
	memset(x, 0, sizeof *x);
	json_object *ex = read_extra(st, id), *v;
	if (!ex)
		return false;
	if (json_object_object_get_ex(ex, "succeeded", &v))
		x->succeeded = (size_t)json_object_get_int64(v);
	if (json_object_object_get_ex(ex, "in_tokens", &v))
		x->in_tokens = (long)json_object_get_int64(v);
	if (json_object_object_get_ex(ex, "out_tokens", &v))
		x->out_tokens = (long)json_object_get_int64(v);
	json_object_put(ex);
	return true;
}

static json_object *extra_json(const batch_extra *x)
{
	json_object *e = json_object_new_object();
	report_jadd_int(e, "succeeded", (long long)x->succeeded);
	report_jadd_int(e, "repaired", (long long)x->repaired);
	report_jadd_int(e, "retried", (long long)x->retried);
	report_jadd_int(e, "failed", (long long)x->failed);
	report_jadd_int(e, "unknown_ids", (long long)x->unknown_ids);
	report_jadd_int(e, "conflicts", (long long)x->conflicts);
	report_jadd_int(e, "in_tokens", x->in_tokens);
	report_jadd_int(e, "out_tokens", x->out_tokens);
	json_object *ra = json_object_new_array();
	for (size_t i = 0; i < x->nrepairs; i++) {
		json_object *j = json_object_new_object();
		report_jadd_str(j, "cesta", x->repair_cesta[i]);
		report_jadd_str(j, "repairs", x->repair_notes[i]);
		json_object_array_add(ra, j);
	}
	json_object_object_add(e, "repairs", ra);
	return e;
}

/* A failed entry of batch bid that no longer is: its file was committed
 * since in a later batch (a cancel, then retry-failed), or is out again in
 * another batch.  The batch keeps its history; the totals and the exit
 * status count only what is still failed. */
static bool failure_resolved(store *st, const char *bid, const file_entry *f)
{
	file_state known;
	char held[40];
	if (!st || !f->cesta)
		return false;
	if (store_file_known(st, f->cesta, &known) && known == FS_SAVED_TO_CSV)
		return true;
	return store_file_batch(st, f->cesta, held) && strcmp(held, bid) != 0;
}

/* The batch's failures still open (all of them when its files are unknown). */
static size_t open_failures(store *st, const batch_info *b, const file_entry *fs, size_t nf)
{
	if (!fs)
		return report_count_failed(b);
	size_t n = 0;
	for (size_t i = 0; i < nf; i++)
		n += file_state_failed(fs[i].state) && !failure_resolved(st, b->id, &fs[i]);
	return n;
}

/* One batch's report object; takes over extra (may be NULL). */
static json_object *batch_report_json(store *st, const batch_info *b, const file_entry *fs,
				      size_t nf, json_object *extra)
{
	json_object *o = report_batch_info_json(b);
	size_t succeeded = b->counts[FS_SAVED_TO_CSV];
	size_t failed = report_count_failed(b);
	size_t skipped = b->counts[FS_SKIPPED] + b->counts[FS_REJECTED];
	report_jadd_int(o, "succeeded", (long long)succeeded);
	report_jadd_int(o, "failed", (long long)failed);
	report_jadd_int(o, "skipped", (long long)skipped);
	report_jadd_int(o, "pending", (long long)(b->nfiles - succeeded - failed - skipped));
	report_jadd_ratio(o, "success_rate",
			  b->nfiles ? (double)succeeded / (double)b->nfiles : 0.0);
	if (b->sent > 0 && b->completed >= b->sent)
		report_jadd_int(o, "duration_seconds", (long long)difftime(b->completed, b->sent));
	else
		json_object_object_add(o, "duration_seconds", NULL);
	json_object *fa = json_object_new_array();
	for (size_t i = 0; i < nf; i++) {
		if (!file_state_failed(fs[i].state) && !fs[i].reason)
			continue;
		json_object *j = json_object_new_object();
		report_jadd_str(j, "cesta", fs[i].cesta);
		report_jadd_str(j, "state", file_state_name(fs[i].state));
		report_jadd_str(j, "custom_id", fs[i].custom_id);
		report_jadd_int(j, "attempts", fs[i].attempts);
		report_jadd_str(j, "reason", fs[i].reason);
		json_object_object_add(
			j, "resolved",
			json_object_new_boolean(file_state_failed(fs[i].state) &&
						failure_resolved(st, b->id, &fs[i])));
		json_object_array_add(fa, j);
	}
	json_object_object_add(o, "failures", fa);
	report_jadd_int(o, "failed_open", (long long)open_failures(st, b, fs, nf));
	if (extra)
		json_object_object_add(o, "extra", extra);
	return o;
}

static void batch_report_text(store *st, const batch_info *b, const file_entry *fs, size_t nf,
			      FILE *out)
{
	char age[32];
	report_fmt_age(b->created, age, sizeof age);
	fprintf(out, _("Batch %s (%s, %s %s): %s, created %s ago\n"), b->id, b->kind, b->provider,
		b->model, batch_state_name(b->state), age);
	if (b->provider_batch_id[0])
		fprintf(out, _("  provider batch: %s\n"), b->provider_batch_id);
	if (b->note[0])
		fprintf(out, _("  note: %s\n"), b->note);
	size_t total = b->nfiles;
	for (int s = 0; s < FS__COUNT; s++)
		if (b->counts[s])
			count_row(out, file_state_name((file_state)s), 22, b->counts[s], total);
	json_object *ex = read_extra(st, b->id), *v;
	if (ex) {
		long long rep = 0, ret = 0, in = 0, outt = 0;
		if (json_object_object_get_ex(ex, "repaired", &v))
			rep = json_object_get_int64(v);
		if (json_object_object_get_ex(ex, "retried", &v))
			ret = json_object_get_int64(v);
		if (json_object_object_get_ex(ex, "in_tokens", &v))
			in = json_object_get_int64(v);
		if (json_object_object_get_ex(ex, "out_tokens", &v))
			outt = json_object_get_int64(v);
		fprintf(out, _("  repaired %lld, retried live %lld; tokens: %lld in, %lld out\n"),
			rep, ret, in, outt);
		json_object *ra;
		if (json_object_object_get_ex(ex, "repairs", &ra) &&
		    json_object_is_type(ra, json_type_array))
			for (size_t i = 0; i < json_object_array_length(ra); i++) {
				json_object *j = json_object_array_get_idx(ra, i), *c, *n;
				if (json_object_object_get_ex(j, "cesta", &c) &&
				    json_object_object_get_ex(j, "repairs", &n))
					fprintf(out, _("  repaired: %s: %s\n"),
						json_object_get_string(c),
						json_object_get_string(n));
			}
		json_object_put(ex);
	}
	fprintf(out, _("  cost: estimated $%.4f, actual $%.4f\n"), b->est_cost, b->actual_cost);
	if (b->sent > 0 && b->completed >= b->sent) {
		char d[32];
		report_fmt_duration(difftime(b->completed, b->sent), d, sizeof d);
		fprintf(out, _("  at the provider for %s\n"), d);
	}
	for (size_t i = 0; i < nf; i++) {
		if (!file_state_failed(fs[i].state))
			continue;
		fprintf(out, _("  failed: %s (%s, live retries: %d): %s\n"), fs[i].cesta,
			file_state_name(fs[i].state), fs[i].attempts,
			fs[i].reason ? fs[i].reason : "-");
		if (failure_resolved(st, b->id, &fs[i]))
			fprintf(out, "    %s\n",
				_("(committed since in a later batch, or sent again)"));
	}
}

json_object *report_models_json(const adv_table *t)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < t->n; i++) {
		const adv_row *r = &t->rows[i];
		json_object *x = json_object_new_object();
		report_jadd_str(x, "provider", r->provider);
		report_jadd_str(x, "model", r->model);
		report_jadd_str(x, "detail", r->detail);
		report_jadd_dbl(x, "text_tokens", r->text_tokens);
		report_jadd_dbl(x, "image_tokens", r->image_tokens);
		report_jadd_dbl(x, "out_tokens", r->out_tokens);
		report_jadd_int(x, "in_tokens_total", r->in_total);
		report_jadd_int(x, "out_tokens_total", r->out_total);
		report_jadd_dbl(x, "batch_usd", r->batch);
		report_jadd_dbl(x, "live_usd", r->live);
		report_jadd_dbl(x, "batch_total_usd", r->batch_total);
		report_jadd_dbl(x, "live_total_usd", r->live_total);
		json_object_object_add(x, "configured", json_object_new_boolean(r->configured));
		json_object_object_add(x, "deprecated", json_object_new_boolean(r->deprecated));
		json_object_array_add(arr, x);
	}
	return arr;
}

/* After the batches' reports: what their photos would have cost on the
 * other models (advisor_usage_table), a few lines: the model used and
 * those cheaper than it. */
static void models_text(const adv_table *t, FILE *out)
{
	if (t->configured < 0)
		return;
	fprintf(out,
		P_("\nThe same %zu photo on other models (text and output tokens as billed, images by "
		   "each model's formula), batch price:\n",
		   "\nThe same %zu photos on other models (text and output tokens as billed, images by "
		   "each model's formula), batch price:\n",
		   t->in.requests),
		t->in.requests);
	size_t shown = 0;
	for (size_t i = 0; i < t->n && (long)i <= t->configured; i++) {
		const adv_row *r = &t->rows[i];
		if (!r->configured && (r->deprecated || ++shown > 4))
			continue;
		fprintf(out, "  %s ", r->configured ? "*" : " ");
		report_pad(out, r->provider, 7, false);
		fputc(' ', out);
		report_pad(out, r->model, 22, false);
		fputc(' ', out);
		report_pad(out, r->detail, 7, false);
		fprintf(out, _(" $%.4f ($%.3f per 1,000 photos)%s\n"), r->batch_total,
			r->batch * 1000, r->configured ? _("  the model used") : "");
	}
	fprintf(out, _("  (every model: stockbatch report --json, \"other_models\")\n"));
}

/* ---- reports ----------------------------------------------------------------------- */

size_t report_batches(store *st, const batch_info *bs, size_t nb, bool json, FILE *out)
{
	return report_batches_models(st, bs, nb, NULL, json, out);
}

size_t report_batches_models(store *st, const batch_info *bs, size_t nb, const settings *cfg,
			     bool json, FILE *out)
{
	adv_table models;
	memset(&models, 0, sizeof models);
	models.configured = -1;
	if (cfg && nb && advisor_usage_table(cfg, st, bs, nb, &models, NULL) < 0)
		models.n = 0;
	json_object *arr = json ? json_object_new_array() : NULL;
	size_t tot_files = 0, tot_ok = 0, tot_failed = 0;
	double est = 0, act = 0;
	for (size_t i = 0; i < nb; i++) {
		file_entry *fs = NULL;
		size_t nf = 0;
		if (store_files(st, bs[i].id, &fs, &nf) < 0) {
			fs = NULL;
			nf = 0;
		}
		tot_files += bs[i].nfiles;
		tot_ok += report_count_done(&bs[i]);
		tot_failed += open_failures(st, &bs[i], fs, nf);
		est += bs[i].est_cost;
		act += bs[i].actual_cost;
		if (arr)
			json_object_array_add(arr, batch_report_json(st, &bs[i], fs, nf,
								     read_extra(st, bs[i].id)));
		else {
			if (i)
				fputc('\n', out);
			batch_report_text(st, &bs[i], fs, nf, out);
		}
		file_entries_free(fs, nf);
	}
	if (arr) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "batches", arr);
		json_object *t = json_object_new_object();
		report_jadd_int(t, "batches", (long long)nb);
		report_jadd_int(t, "files", (long long)tot_files);
		report_jadd_int(t, "succeeded", (long long)tot_ok);
		report_jadd_int(t, "failed", (long long)tot_failed);
		report_jadd_cost(t, "est_cost", est);
		report_jadd_cost(t, "actual_cost", act);
		json_object_object_add(o, "totals", t);
		if (cfg) {
			json_object *m = NULL;
			if (models.n) {
				m = json_object_new_object();
				report_jadd_int(m, "photos", (long long)models.in.requests);
				json_object_object_add(m, "models", report_models_json(&models));
			}
			json_object_object_add(o, "other_models", m);
		}
		report_json_print(o, out);
	} else if (!nb) {
		fprintf(out, _("No batches yet.\n"));
	} else if (nb > 1) {
		fprintf(out,
			_("\nAll batches: %zu files, %zu committed, %zu failed; cost estimated $%.4f, "
			  "actual $%.4f\n"),
			tot_files, tot_ok, tot_failed, est, act);
	}
	if (!arr && models.n)
		models_text(&models, out);
	advisor_free(&models);
	return tot_failed;
}

int report_batch(store *st, const char *batch_id, bool json, FILE *out)
{
	batch_info b;
	if (store_get(st, batch_id, &b) < 0)
		return -1;
	report_batches(st, &b, 1, json, out);
	return 0;
}

int report_batch_write(store *st, const char *batch_id, const batch_extra *x, sb_err *e)
{
	batch_info b;
	if (store_get(st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s"), batch_id);
	file_entry *fs = NULL;
	size_t nf = 0;
	if (store_files(st, batch_id, &fs, &nf) < 0) {
		fs = NULL;
		nf = 0;
	}
	json_object *o = batch_report_json(st, &b, fs, nf, extra_json(x));
	file_entries_free(fs, nf);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	char *p = store_batch_path(st, batch_id, "report.json");
	int rc = atomic_write(p, s, strlen(s), 0600, e);
	free(p);
	json_object_put(o);
	return rc;
}

/* ---- the run summary --------------------------------------------------------------- */

void report_run(const run_report *r, bool interrupted, int code, bool json, FILE *out)
{
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "interrupted", json_object_new_boolean(interrupted));
		report_jadd_int(o, "sent", (long long)r->sent);
		report_jadd_int(o, "succeeded", (long long)r->succeeded);
		report_jadd_int(o, "repaired", (long long)r->repaired);
		report_jadd_int(o, "retried", (long long)r->retried);
		report_jadd_int(o, "failed", (long long)r->failed);
		report_jadd_int(o, "skipped", (long long)r->skipped);
		report_jadd_int(o, "committed", (long long)r->committed);
		report_jadd_int(o, "conflicts", (long long)r->conflicts);
		report_jadd_int(o, "batches_sent", (long long)r->batches_sent);
		report_jadd_int(o, "batches_done", (long long)r->batches_done);
		report_jadd_int(o, "still_waiting", (long long)r->still_waiting);
		report_jadd_cost(o, "est_cost", r->est_cost);
		report_jadd_cost(o, "actual_cost", r->actual_cost);
		report_jadd_seconds(o, "seconds", r->seconds);
		report_jadd_int(o, "exit_code", code);
		report_json_print(o, out);
		return;
	}
	char dur[32];
	report_fmt_duration(r->seconds, dur, sizeof dur);
	if (interrupted)
		fprintf(out, _("Interrupted: partial summary (%s)\n"), dur);
	else
		fprintf(out, _("Summary (%s)\n"), dur);
	size_t total = r->succeeded + r->failed + r->skipped;
	if (total < r->sent)
		total = r->sent;
	struct {
		const char *label;
		size_t v;
	} rows[] = {
		{ _("Sent"), r->sent },
		{ _("Succeeded"), r->succeeded },
		{ _("Repaired"), r->repaired },
		{ _("Retried"), r->retried },
		{ _("Failed"), r->failed },
		{ _("Skipped"), r->skipped },
		{ _("Committed to the CSV"), r->committed },
		{ _("Changed by someone else"), r->conflicts },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		count_row(out, rows[i].label, 26, rows[i].v, total);
	fprintf(out, _("Batches: %zu sent, %zu done, %zu still at the provider\n"), r->batches_sent,
		r->batches_done, r->still_waiting);
	fprintf(out, _("Cost: estimated $%.4f, actual $%.4f\n"), r->est_cost, r->actual_cost);
	if (r->still_waiting && !interrupted)
		fprintf(out, _("Batches are still being processed: run 'stockbatch retrieve' later "
			       "(or with --wait SECONDS).\n"));
	if (r->failed)
		fprintf(out, _("Some items failed: see 'stockbatch report', then 'stockbatch "
			       "retry-failed'.\n"));
}

int report_batch_review(const settings *cfg, store *st, const char *batch_id, FILE *out,
			sb_err *e)
{
	file_entry *f = NULL;
	size_t n = 0;
	if (store_files(st, batch_id, &f, &n) < 0)
		return sb_fail(e, SBE_NOTFOUND, _("no batch %s: see `stockbatch status`"), batch_id);
	mediacsv *m = NULL;
	if (mediacsv_load(cfg->media_csv, &m, e) < 0) {
		file_entries_free(f, n);
		return -1;
	}
	static const char *const cats[] = { "ShutterStock kategorie", "AdobeStock kategorie",
					    "Dreamstime kategorie" };
	for (size_t i = 0; i < n; i++) {
		long r = mediacsv_find(m, f[i].cesta);
		fprintf(out, "%s\n", cesta_basename(f[i].cesta));
		if (f[i].reason)
			fprintf(out, "  %s %s\n", _("Problem:"), f[i].reason);
		if (r < 0 || f[i].state != FS_SAVED_TO_CSV) {
			fprintf(out, "  %s\n\n", _("(nothing committed to the CSV)"));
			continue;
		}
		fprintf(out, "  %s %s\n", _("Title:"), mediacsv_field(m, (size_t)r, MC_NAZEV));
		fprintf(out, "  %s %s\n", _("Description:"), mediacsv_field(m, (size_t)r, MC_POPIS));
		fprintf(out, "  %s %s\n", _("Keywords:"), mediacsv_field(m, (size_t)r, MC_KLICOVA));
		for (size_t k = 0; k < sizeof cats / sizeof cats[0]; k++) {
			int c = mediacsv_col(m, cats[k]);
			if (c >= 0 && *mediacsv_get(m, (size_t)r, c))
				fprintf(out, "  %s: %s\n", cats[k], mediacsv_get(m, (size_t)r, c));
		}
		fputc('\n', out);
	}
	mediacsv_free(m);
	file_entries_free(f, n);
	return 0;
}

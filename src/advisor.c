/* advisor.c: every model of the price table on the same requests (see
 * advisor.h).  The formulas are the providers' own (caps->image_size,
 * ->image_tokens, ->text_tokens), so the table prices a request exactly as
 * the engine's estimate would on that model. */
#include "config.h"

#include "advisor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "i18n.h"
#include "imageprep.h"
#include "plan.h"
#include "provider.h"
#include "report.h"
#include "request.h"

static void add_size(adv_input *in, int w, int h)
{
	for (size_t i = 0; i < in->nsizes; i++)
		if (in->sizes[i].w == w && in->sizes[i].h == h) {
			in->sizes[i].n++;
			return;
		}
	in->sizes = xrealloc(in->sizes, (in->nsizes + 1) * sizeof *in->sizes);
	in->sizes[in->nsizes++] = (adv_size){ w, h, 1 };
}

/* One request: the prompt as the engine builds it (eng_build_one), the
 * picture the model would see, if any. */
static void add_request(const settings *cfg, prompt_ctx *pr, adv_input *in, const char *cesta,
			const file_entry *f)
{
	const char *desc = f && f->description ? f->description : "";
	mc_media media = mediacsv_media_kind(cesta_basename(cesta));
	char *user = f ? prompt_user_text(pr, media, desc, f->editorial, f->ed.city, f->ed.country,
					  f->ed.date)
		       : prompt_user_text(pr, media, "", false, NULL, NULL, NULL);
	const char *sys = prompt_system(pr);
	const provider_ops *ops;
	for (size_t i = 0; i < ADV_PROVIDERS && (ops = provider_at(i)); i++)
		in->text_tokens[i] += ops->caps->text_tokens(sys, user ? user : "") +
				      (*desc ? 0 : ADV_DESC_TOKENS);
	if (!*desc)
		in->undescribed++;
	free(user);
	in->requests++;
	char *path = settings_map_path(cfg, cesta);
	char *img = path ? image_jpeg_of(path) : NULL;
	int w, h;
	if (img && image_file_size(img, &w, &h, NULL) == 0)
		add_size(in, w, h);
	free(img);
	free(path);
}

double advisor_out_tokens(store *st, const char *prov, size_t *from)
{
	batch_info *bs = NULL;
	size_t nb = st ? store_list(st, &bs) : 0;
	long out = 0;
	size_t n = 0;
	for (size_t i = 0; i < nb; i++) {
		batch_extra x;
		if (strcmp(bs[i].kind, "originals") == 0 && (!prov || !strcmp(bs[i].provider, prov)) &&
		    report_batch_extra(st, bs[i].id, &x) && x.succeeded > 0 && x.out_tokens > 0) {
			out += x.out_tokens;
			n += x.succeeded;
		}
	}
	free(bs);
	if (from)
		*from = n;
	return n ? (double)out / (double)n : ADV_OUT_TOKENS;
}

/* Output tokens per photo: what the library's finished batches of
 * originals returned, else ADV_OUT_TOKENS. */
static void out_history(store *st, adv_input *in)
{
	in->out_tokens = advisor_out_tokens(st, NULL, &in->out_history_requests);
	in->out_from_history = in->out_history_requests > 0;
}

static int input_begin(const settings *cfg, store *st, adv_input *in, prompt_ctx **pr, sb_err *e)
{
	memset(in, 0, sizeof *in);
	if (prompt_open(cfg, pr, e) < 0)
		return -1;
	out_history(st, in);
	return 0;
}

int advisor_plan_input(const settings *cfg, store *st, const plan *p, adv_input *in, sb_err *e)
{
	prompt_ctx *pr = NULL;
	if (input_begin(cfg, st, in, &pr, e) < 0)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		const plan_row *it = &p->rows[i];
		if (it->action == PLAN_NEW) {
			add_request(cfg, pr, in, it->cesta, NULL);
		} else if (it->action == PLAN_IN_BATCH && st &&
			   (it->bstate == BS_COLLECTING || it->bstate == BS_READY)) {
			file_entry fe;
			memset(&fe, 0, sizeof fe);
			bool have = store_file_get(st, it->batch, it->cesta, &fe) == 0;
			add_request(cfg, pr, in, it->cesta, have ? &fe : NULL);
			if (have)
				file_entries_free(&fe, 1);
		}
	}
	prompt_close(pr);
	return 0;
}

int advisor_batches_input(const settings *cfg, store *st, const batch_info *bs, size_t nb,
			  adv_input *in, sb_err *e)
{
	prompt_ctx *pr = NULL;
	if (input_begin(cfg, st, in, &pr, e) < 0)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		file_entry *fs = NULL;
		size_t nf = 0;
		if (strcmp(bs[b].kind, "originals") != 0 || store_files(st, bs[b].id, &fs, &nf) < 0)
			continue;
		for (size_t i = 0; i < nf; i++)
			if (fs[i].state != FS_FILE_NOT_FOUND)
				add_request(cfg, pr, in, fs[i].cesta, &fs[i]);
		file_entries_free(fs, nf);
	}
	prompt_close(pr);
	return 0;
}

/* The detail a row stands for when the settings ask for detail. */
static bool detail_is(const char *row_detail, int ndetails, const char *detail)
{
	if (ndetails <= 1)
		return true;
	bool low = detail && strcmp(detail, "low") == 0;
	return strcmp(row_detail, low ? "low" : "high") == 0;
}

/* The image tokens of in's photos on model, each at the size sent. */
static long image_sum(const provider_caps *caps, const char *model, const char *detail,
		      const adv_input *in)
{
	long img = 0;
	for (size_t s = 0; s < in->nsizes; s++) {
		int tw, th;
		caps->image_size(model, detail, in->sizes[s].w, in->sizes[s].h, &tw, &th);
		if (tw < 1)
			tw = 1;
		if (th < 1)
			th = 1;
		img += (long)in->sizes[s].n * caps->image_tokens(model, detail, tw, th);
	}
	return img;
}

static void fill_row(const provider_caps *caps, const adv_input *in, long text, const price *p,
		     adv_row *r)
{
	long img = image_sum(caps, r->model, r->detail, in);
	double n = in->requests ? (double)in->requests : 1;
	double out = in->out_tokens * (double)in->requests;
	r->in_total = text + img;
	r->out_total = lround(out);
	r->text_tokens = (double)text / n;
	r->image_tokens = (double)img / n;
	r->out_tokens = in->requests ? in->out_tokens : 0;
	r->batch_total = ((double)r->in_total * p->batch_in + out * p->batch_out) / 1e6;
	r->live_total = ((double)r->in_total * p->in + out * p->out) / 1e6;
	r->batch = r->batch_total / n;
	r->live = r->live_total / n;
}

static int row_cmp(const void *a, const void *b)
{
	const adv_row *x = a, *y = b;
	if (x->batch != y->batch)
		return x->batch < y->batch ? -1 : 1;
	int c = strcmp(x->model, y->model);
	return c ? c : strcmp(x->detail, y->detail);
}

void advisor_table(const settings *cfg, adv_input *in, adv_table *out)
{
	memset(out, 0, sizeof *out);
	out->in = *in;
	memset(in, 0, sizeof *in);
	out->configured = -1;
	price *ps = NULL;
	size_t np = prices_all(&ps);
	const char *cprov = cfg->provider && *cfg->provider ? cfg->provider : provider_default_name;
	price cp;
	bool cknown = price_of(cfg->model, &cp);
	const provider_ops *ops;
	for (size_t i = 0; i < ADV_PROVIDERS && (ops = provider_at(i)); i++) {
		const provider_caps *caps = ops->caps;
		for (size_t m = 0; m < np; m++) {
			if (!caps->reads_images(ps[m].model))
				continue;
			const char *details[4];
			int nd = caps->image_details(ps[m].model, details, 4);
			for (int d = 0; d < nd; d++) {
				out->rows = xrealloc(out->rows, (out->n + 1) * sizeof *out->rows);
				adv_row *r = &out->rows[out->n++];
				memset(r, 0, sizeof *r);
				r->provider = ops->name;
				snprintf(r->model, sizeof r->model, "%s", ps[m].model);
				r->detail = details[d];
				r->deprecated = caps->deprecated && caps->deprecated(ps[m].model);
				r->configured = cknown && strcmp(ops->name, cprov) == 0 &&
						strcmp(cp.model, ps[m].model) == 0 &&
						detail_is(details[d], nd, cfg->image_detail);
				fill_row(caps, &out->in, out->in.text_tokens[i], &ps[m], r);
			}
		}
	}
	free(ps);
	if (out->n)
		qsort(out->rows, out->n, sizeof *out->rows, row_cmp);
	for (size_t i = 0; i < out->n; i++)
		if (out->rows[i].configured)
			out->configured = (long)i;
}

long advisor_cheapest_peer(const adv_table *t)
{
	if (t->configured < 0)
		return -1;
	const adv_row *c = &t->rows[t->configured];
	bool low = strcmp(c->detail, "low") == 0;
	for (size_t i = 0; i < t->n; i++) /* sorted: the first that fits */
		if (strcmp(t->rows[i].provider, c->provider) == 0 && !t->rows[i].deprecated &&
		    (low || strcmp(t->rows[i].detail, "low") != 0))
			return (long)i;
	return -1;
}

char *advisor_warning(const adv_table *t)
{
	long k = advisor_cheapest_peer(t);
	if (k < 0 || t->in.requests == 0)
		return NULL;
	const adv_row *c = &t->rows[t->configured], *m = &t->rows[k];
	if (!(c->batch > 2 * m->batch))
		return NULL;
	return xasprintf(
		_("the configured model %s (%s detail) costs $%.5f a photo at batch price, "
		  "%.1f times %s (%s detail, $%.5f) of the same provider: see 'stockbatch plan "
		  "--models'"),
		c->model, c->detail, c->batch, m->batch > 0 ? c->batch / m->batch : 0.0, m->model,
		m->detail, m->batch);
}

/* Add t's rows into acc (totals; the per-request fields summed over
 * requests until usage_finish divides them). */
static void usage_merge(adv_table *acc, const adv_table *t)
{
	double n = (double)t->in.requests;
	for (size_t i = 0; i < t->n; i++) {
		const adv_row *r = &t->rows[i];
		adv_row *a = NULL;
		for (size_t k = 0; k < acc->n && !a; k++)
			if (!strcmp(acc->rows[k].provider, r->provider) &&
			    !strcmp(acc->rows[k].model, r->model) &&
			    !strcmp(acc->rows[k].detail, r->detail))
				a = &acc->rows[k];
		if (!a) {
			acc->rows = xrealloc(acc->rows, (acc->n + 1) * sizeof *acc->rows);
			a = &acc->rows[acc->n++];
			*a = *r;
			a->text_tokens = a->image_tokens = a->out_tokens = 0;
			a->in_total = a->out_total = 0;
			a->batch_total = a->live_total = 0;
			a->configured = false;
		}
		a->text_tokens += r->text_tokens * n;
		a->image_tokens += r->image_tokens * n;
		a->out_tokens += r->out_tokens * n;
		a->in_total += r->in_total;
		a->out_total += r->out_total;
		a->batch_total += r->batch_total;
		a->live_total += r->live_total;
		a->configured = a->configured || r->configured;
	}
	acc->in.requests += t->in.requests;
}

static void usage_finish(adv_table *t)
{
	double n = t->in.requests ? (double)t->in.requests : 1;
	for (size_t i = 0; i < t->n; i++) {
		adv_row *r = &t->rows[i];
		r->text_tokens /= n;
		r->image_tokens /= n;
		r->out_tokens /= n;
		r->batch = r->batch_total / n;
		r->live = r->live_total / n;
	}
	if (t->n)
		qsort(t->rows, t->n, sizeof *t->rows, row_cmp);
	t->configured = -1;
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].configured && t->configured < 0)
			t->configured = (long)i;
}

int advisor_usage_table(const settings *cfg, store *st, const batch_info *bs, size_t nb,
			adv_table *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	out->configured = -1;
	for (size_t b = 0; b < nb; b++) {
		batch_extra x;
		if (strcmp(bs[b].kind, "originals") != 0 || !report_batch_extra(st, bs[b].id, &x) ||
		    x.succeeded == 0 || x.in_tokens <= 0)
			continue;
		adv_input in;
		if (advisor_batches_input(cfg, st, &bs[b], 1, &in, e) < 0) {
			advisor_free(out);
			return -1;
		}
		if (in.requests == 0) {
			free(in.sizes);
			continue;
		}
		/* The text as billed: the usage less the images on the model used. */
		const provider_caps *caps = provider_caps_named(bs[b].provider);
		const char *model = bs[b].model[0] ? bs[b].model : cfg->model;
		long text = x.in_tokens - image_sum(caps, model, cfg->image_detail, &in);
		for (size_t i = 0; i < ADV_PROVIDERS; i++)
			in.text_tokens[i] = text > 0 ? text : 0;
		in.out_tokens = (double)x.out_tokens / (double)in.requests;
		in.out_from_history = true;
		settings used = *cfg; /* the batch's provider and model are the "configured" row */
		used.provider = (char *)bs[b].provider;
		used.model = (char *)model;
		adv_table t;
		advisor_table(&used, &in, &t);
		usage_merge(out, &t);
		advisor_free(&t);
	}
	usage_finish(out);
	return 0;
}

char *advisor_request_warning(const settings *cfg, const char *prov, const char *model,
			      long text_tokens, int w, int h)
{
	adv_input in;
	memset(&in, 0, sizeof in);
	in.requests = 1;
	if (w > 0 && h > 0)
		add_size(&in, w, h);
	for (size_t i = 0; i < ADV_PROVIDERS; i++)
		in.text_tokens[i] = text_tokens;
	in.out_tokens = ADV_OUT_TOKENS;
	settings used = *cfg;
	used.provider = (char *)prov;
	used.model = (char *)model;
	adv_table t;
	advisor_table(&used, &in, &t);
	char *msg = advisor_warning(&t);
	advisor_free(&t);
	return msg;
}

void advisor_free(adv_table *t)
{
	if (!t)
		return;
	free(t->in.sizes);
	free(t->rows);
	memset(t, 0, sizeof *t);
}

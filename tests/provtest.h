/* provtest.h: what the provider tests share: a temp dir, a JSONL input
 * written through the provider's format_request, polling to a terminal
 * state, and counting a result file's lines. */
#ifndef SB_PROVTEST_H
#define SB_PROVTEST_H
#include "fakeproc.h"
#include "http.h"
#include "provider.h"

#define TEST_SCHEMA                                                                                         \
	"{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"title\",\"description\","          \
	"\"keywords\",\"categories\"],\"properties\":{\"title\":{\"type\":\"string\",\"maxLength\":70},"     \
	"\"description\":{\"type\":\"string\"},\"keywords\":{\"type\":\"array\",\"items\":{\"type\":"          \
	"\"string\"},\"minItems\":20,\"maxItems\":50},\"categories\":{\"type\":\"object\","                  \
	"\"additionalProperties\":false,\"required\":[\"adobestock\"],\"properties\":{\"adobestock\":"       \
	"{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"Animals\",\"Landscapes\","          \
	"\"Travel\"]},\"maxItems\":1}}}}}"

/* A real 8x8 JPEG (the services refuse one without a frame header). */
static const unsigned char test_jpeg[] = {
	0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01,
	0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43,
	0x00, 0x1B, 0x12, 0x14, 0x17, 0x14, 0x11, 0x1B, 0x17, 0x16, 0x17, 0x1E,
	0x1C, 0x1B, 0x20, 0x28, 0x42, 0x2B, 0x28, 0x25, 0x25, 0x28, 0x51, 0x3A,
	0x3D, 0x30, 0x42, 0x60, 0x55, 0x65, 0x64, 0x5F, 0x55, 0x5D, 0x5B, 0x6A,
	0x78, 0x99, 0x81, 0x6A, 0x71, 0x90, 0x73, 0x5B, 0x5D, 0x85, 0xB5, 0x86,
	0x90, 0x9E, 0xA3, 0xAB, 0xAD, 0xAB, 0x67, 0x80, 0xBC, 0xC9, 0xBA, 0xA6,
	0xC7, 0x99, 0xA8, 0xAB, 0xA4, 0xFF, 0xDB, 0x00, 0x43, 0x01, 0x1C, 0x1E,
	0x1E, 0x28, 0x23, 0x28, 0x4E, 0x2B, 0x2B, 0x4E, 0xA4, 0x6E, 0x5D, 0x6E,
	0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4,
	0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4,
	0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4,
	0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4, 0xA4,
	0xA4, 0xA4, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x08, 0x03,
	0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xC4, 0x00,
	0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xC4, 0x00, 0x14,
	0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00, 0x14, 0x01, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x03, 0xFF, 0xC4, 0x00, 0x14, 0x11, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03,
	0x11, 0x00, 0x3F, 0x00, 0x98, 0x07, 0x13, 0xFF, 0xD9,
};

static inline char *pt_tmpdir(void)
{
	char *d = xstrdup("/tmp/sbprovXXXXXX");
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static inline void pt_rmrf(const char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", d);
	free(cmd);
}

/* n requests "IMG_000i_<tag>" into path; returns 0. */
static inline int pt_write_jsonl(provider *p, const char *path, int n, const char *tag, const char *model)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (int i = 0; i < n; i++) {
		char cid[64];
		snprintf(cid, sizeof cid, "IMG_%04d_%s", i, tag);
		sb_request rq = {.custom_id = cid, .model = model, .system_prompt = "You write stock metadata.",
				 .user_text = "Sunset over the Lipno lake with a wooden jetty, \"quoted\" and\nnew line",
				 .jpeg = i % 2 ? test_jpeg : NULL, .jpeg_len = sizeof test_jpeg, .detail = "high",
				 .schema_json = TEST_SCHEMA, .schema_name = "stock_metadata", .max_tokens = 800};
		sbuf b = {0};
		sb_err e = {0};
		if (p->ops->format_request(p, &rq, &b, &e) != 0) {
			fclose(f);
			sbuf_free(&b);
			return -1;
		}
		fprintf(f, "%s\n", b.p);
		sbuf_free(&b);
	}
	return fclose(f);
}

/* Poll until a terminal state (or 400 polls). */
static inline int pt_wait(provider *p, const char *id, prov_batch *b, sb_err *e)
{
	for (int i = 0; i < 400; i++) {
		prov_batch_clear(b);
		if (p->ops->get(p, id, b, e) != 0)
			return -1;
		if (b->state == PB_COMPLETED || b->state == PB_FAILED || b->state == PB_EXPIRED ||
		    b->state == PB_CANCELLED)
			return 0;
		http_sleep(0.02);
	}
	return -1;
}

typedef struct pt_counts {
	int ok, failed, json_ok, lines;
	int expired;
	char last_error[256];
} pt_counts;

static inline int pt_count_cb(const sb_result *r, void *ctx)
{
	pt_counts *c = ctx;
	c->lines++;
	if (r->ok) {
		c->ok++;
		json_object *o = json_tokener_parse(r->content), *kw;
		if (o && json_object_object_get_ex(o, "keywords", &kw) && json_object_array_length(kw) == 20)
			c->json_ok++;
		json_object_put(o);
	} else {
		c->failed++;
		if (r->error && strstr(r->error, "batch_expired"))
			c->expired++;
		snprintf(c->last_error, sizeof c->last_error, "%s", r->error ? r->error : "");
	}
	return 0;
}
/* The shared live finish: an injected 400, 404, 413 or 422 is this
 * request's rejection (0, not ok, that status, the request's id).
 * Returns the first status handled otherwise, or 0. */
static inline int pt_live_rejections(fakeproc *fk, provider *p, const sb_request *rq)
{
	static const int rejected[] = {400, 404, 413, 422};
	for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++) {
		char f[32];
		snprintf(f, sizeof f, "status=1:%d", rejected[i]);
		fake_fault(fk, f);
		sb_result r = {0};
		sb_err e = {0};
		bool good = p->ops->live(p, rq, &r, &e) == 0 && !r.ok && r.http_status == rejected[i] &&
			    r.custom_id && !strcmp(r.custom_id, rq->custom_id) && r.error;
		sb_result_free(&r);
		if (!good)
			return rejected[i];
	}
	return 0;
}

/* list_files against the fake, two files a page: three uploads (two
 * under a name of ours, one under its path's base name) are all listed,
 * each with its name, over more than one page (pages_stat: the fake's
 * requests_by_path key of a page).  0, or the line of the failed check. */
static inline int pt_list_files(fakeproc *fk, provider *p, const char *dir, const char *model,
				const char *pages_stat)
{
	static const char *const tags[] = {"lf1", "lf2", "lf3"};
	static const char *const names[] = {"stockbatch-lf1.jsonl", "stockbatch-lf2.jsonl", NULL};
	char ids[3][128];
	sb_err e = {0};
	for (int i = 0; i < 3; i++) {
		char *in = xasprintf("%s/%s.jsonl", dir, tags[i]);
		int rc = pt_write_jsonl(p, in, 1 + i, tags[i], model);
		if (rc == 0)
			rc = p->ops->upload(p, in, names[i], ids[i], sizeof ids[i], &e);
		free(in);
		if (rc != 0)
			return __LINE__;
	}
	fake_fault(fk, "page_size=2");
	long pages0 = fake_stat(fk, pages_stat);
	prov_file *fs = NULL;
	size_t n = 0;
	if (p->ops->list_files(p, &fs, &n, &e) != 0)
		return __LINE__;
	int bad = 0;
	if (fake_stat(fk, pages_stat) - pages0 < 2)
		bad = __LINE__;
	for (int i = 0; i < 3 && !bad; i++) {
		char want[64];
		snprintf(want, sizeof want, "%s.jsonl", tags[i]);
		bool found = false;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(fs[k].id, ids[i]))
				found = !strcmp(fs[k].name, names[i] ? names[i] : want);
		if (!found)
			bad = __LINE__;
	}
	free(fs);
	return bad;
}

#endif

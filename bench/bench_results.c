/* bench_results.c: download a batch output file from the fake API and parse
 * every line (SPEC 12: a 50,000-line result file with flat memory, peak
 * RSS under 64 MB).
 *
 *   bench_results [--url http://127.0.0.1:PORT] [--lines N] [--results FILE] [--runs R]
 *
 * Without --url it starts tests/fakeapi.py itself (top_srcdir, PYTHON3 from
 * the environment); without --results it writes N lines (default 50,000) in
 * the OpenAI batch output format.  The file is uploaded once (untimed), then
 * each run downloads it (streamed to disk) and parses it line by line,
 * decoding the model's JSON answer of every line.  Prints one line per run
 * and this process's peak RSS (the fake's memory is not counted). */
#include "config.h"
#include "../tests/fakeproc.h"
#include "http.h"
#include "log.h"
#include "provider.h"
#include "settings.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct counts {
	long lines, ok, failed, keywords;
} counts;

static int on_result(const sb_result *r, void *ctx)
{
	counts *c = ctx;
	c->lines++;
	if (!r->ok) {
		c->failed++;
		return 0;
	}
	c->ok++;
	/* The answer is decoded too: what the engine does with every line. */
	json_object *o = json_tokener_parse(r->content), *kw;
	if (o && json_object_object_get_ex(o, "keywords", &kw))
		c->keywords += (long)json_object_array_length(kw);
	json_object_put(o);
	return 0;
}

static void write_corpus(const char *path, long n)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	for (long i = 1; i <= n; i++) {
		/* The same shape as /work/shared/bench/make_corpus.py --results. */
		char meta[1024];
		snprintf(meta, sizeof meta,
			 "{\\\"title\\\": \\\"Spruce forest in morning fog %ld\\\", \\\"description\\\": \\\"Dense spruce "
			 "trees stand in soft morning fog on a hillside in central Europe.\\\", \\\"keywords\\\": "
			 "[\\\"spruce\\\", \\\"forest\\\", \\\"fog\\\", \\\"morning\\\", \\\"trees\\\", \\\"nature\\\", "
			 "\\\"mist\\\", \\\"hill\\\"], \\\"categories\\\": {\\\"shutterstock\\\": [\\\"Nature\\\"], "
			 "\\\"adobestock\\\": [\\\"Landscape\\\"], \\\"dreamstime\\\": [\\\"Nature -> Forests\\\"]}}",
			 i);
		fprintf(f,
			"{\"id\": \"batch_req_%ld\", \"custom_id\": \"PICT%06ld_batch_bench\", \"response\": "
			"{\"status_code\": 200, \"request_id\": \"req_%ld\", \"body\": {\"id\": \"chatcmpl-%ld\", "
			"\"object\": \"chat.completion\", \"model\": \"gpt-4o-2024-08-06\", \"choices\": [{\"index\": 0, "
			"\"finish_reason\": \"stop\", \"message\": {\"role\": \"assistant\", \"content\": \"%s\"}}], "
			"\"usage\": {\"prompt_tokens\": 1400, \"completion_tokens\": 160, \"total_tokens\": 1560}}}, "
			"\"error\": null}\n",
			i, i, i, i, meta);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *url = NULL, *results = NULL;
	long lines = 50000;
	int runs = 3;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--url") && i + 1 < argc)
			url = argv[++i];
		else if (!strcmp(argv[i], "--lines") && i + 1 < argc)
			lines = atol(argv[++i]);
		else if (!strcmp(argv[i], "--results") && i + 1 < argc)
			results = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--url URL] [--lines N] [--results FILE] [--runs R]\n", argv[0]);
			return 2;
		}
	}
	char dir[] = "/tmp/sbbenchXXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char *corpus = NULL;
	if (!results) {
		corpus = xasprintf("%s/results.jsonl", dir);
		write_corpus(corpus, lines);
		results = corpus;
	}
	fakeproc fk = {0};
	char base[256];
	if (url)
		snprintf(base, sizeof base, "%s/v1", url);
	else {
		if (fake_start(&fk, NULL) != 0) {
			fprintf(stderr, "cannot start tests/fakeapi.py (set top_srcdir and PYTHON3)\n");
			return 1;
		}
		snprintf(base, sizeof base, "%s", fk.oai);
	}
	settings cfg;
	settings_defaults(&cfg);
	provider *p;
	sb_err e = {0};
	if (provider_open_with(&cfg, "openai", "sk-test-fake", base, &p, &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	char fid[128];
	if (p->ops->upload(p, results, NULL, fid, sizeof fid, &e) != 0) {
		fprintf(stderr, "upload: %s\n", e.msg);
		return 1;
	}
	char *dest = xasprintf("%s/downloaded.jsonl", dir);
	for (int r = 0; r < runs; r++) {
		double t0 = now_mono();
		if (p->ops->download(p, fid, dest, &e) != 0) {
			fprintf(stderr, "download: %s\n", e.msg);
			return 1;
		}
		double t1 = now_mono();
		counts c = {0};
		if (provider_read_results(p, dest, on_result, &c, &e) != 0) {
			fprintf(stderr, "parse: %s\n", e.msg);
			return 1;
		}
		double t2 = now_mono();
		printf("run %d lines %ld ok %ld download_s %.3f parse_s %.3f total_s %.3f lines_per_s %.0f\n", r + 1,
		       c.lines, c.ok, t1 - t0, t2 - t1, t2 - t0, (double)c.lines / (t2 - t0));
		unlink(dest);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss_kb %ld\n", ru.ru_maxrss);
	provider_close(p);
	settings_free(&cfg);
	if (!url)
		fake_stop(&fk);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	free(dest);
	free(corpus);
	return 0;
}

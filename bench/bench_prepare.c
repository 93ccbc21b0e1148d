/* bench_prepare.c: request preparation of photos (SPEC 12), to compare with
 * /work/shared/bench/anchors/seed_build_requests.py on the same files.
 *
 *   bench_prepare [-t THREADS] [-m MODEL] [-q QUALITY] [-r] -o OUT.jsonl PHOTO...
 *       prepares every photo (decode, orient, model size, encode, base64) on
 *       THREADS threads (default 2) and writes one OpenAI batch line per photo
 *       with the anchor's prompt text (-r: our real system prompt, schema and
 *       fenced user text instead).  Prints photos/s, bytes and image tokens.
 *   bench_prepare -f [-t THREADS] PHOTO...
 *       the floor: per photo only what no pipeline avoids, a DCT-scaled
 *       decode at 1/4 and a JPEG encode (q90) of that, on THREADS threads.
 *   bench_prepare -k MODEL ANY.jsonl
 *       the image tokens of what a JSONL file sends (decodes each data URL's
 *       JPEG header): run it on the anchor's output and on ours.
 */
#include "config.h"
#include "base64.h"
#include "imageprep.h"
#include "request.h"
#include "tokens.h"

#include <json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <turbojpeg.h>
#include <unistd.h>

#define ANCHOR_PROMPT "You are a professional stock photography metadata generator. Based on the image and " \
	"the user's description, return JSON with title, description, keywords and categories.\n" \
	"USER'S DESCRIPTION:\n%s"
#define DESC "Smrkový les v ranní mlze na kopci."

typedef struct job {
	char **photos;
	size_t n;
	atomic_size_t next;
	char **lines;
	long *tokens;
	const char *model;
	int quality;
	prompt_ctx *pr;
	int failed;
	bool floor;
} job;

static void json_str(sbuf *b, const char *s)
{
	json_object *o = json_object_new_string(s);
	sbuf_adds(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static char *build_line(job *j, const char *path, const prepared_image *p)
{
	sbuf b = {0};
	char *stem = xstrdup(path_basename(path)), *dot = strrchr(stem, '.');
	if (dot)
		*dot = '\0';
	sbuf_adds(&b, "{\"custom_id\":");
	char *cid = request_custom_id(stem, "batch_bench");
	json_str(&b, cid);
	free(cid);
	free(stem);
	sbuf_printf(&b, ",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":");
	json_str(&b, j->model);
	sbuf_adds(&b, ",\"max_tokens\":1000,\"messages\":[");
	char *user;
	if (j->pr) {
		sbuf_adds(&b, "{\"role\":\"system\",\"content\":");
		json_str(&b, prompt_system(j->pr));
		sbuf_adds(&b, "},");
		user = prompt_user_text(j->pr, MC_IMAGE, DESC, false, NULL, NULL, NULL);
	} else {
		user = xasprintf(ANCHOR_PROMPT, DESC);
	}
	sbuf_adds(&b, "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":");
	json_str(&b, user);
	free(user);
	size_t blen;
	char *b64 = base64_encode(p->jpeg, p->len, &blen);
	sbuf_adds(&b, "},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/jpeg;base64,");
	sbuf_add(&b, b64, blen);
	free(b64);
	sbuf_adds(&b, "\",\"detail\":\"high\"}}]}]");
	if (j->pr) {
		sbuf_adds(&b, ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":"
			      "\"stock_metadata\",\"strict\":true,\"schema\":");
		sbuf_adds(&b, prompt_schema(j->pr));
		sbuf_adds(&b, "}}");
	} else {
		sbuf_adds(&b, ",\"response_format\":{\"type\":\"json_object\"}");
	}
	sbuf_adds(&b, "}}\n");
	return sbuf_steal(&b);
}

/* The floor's work for one photo: decode at 1/4, encode q90. */
static int floor_one(const char *path)
{
	char *jpg;
	size_t len;
	sb_err e = {0};
	if (read_whole_file(path, &jpg, &len, &e) < 0)
		return -1;
	tjhandle d = tjInitDecompress(), c = tjInitCompress();
	int w, h, sub, cs, rc = -1;
	tjscalingfactor q = {1, 4};
	if (tjDecompressHeader3(d, (unsigned char *)jpg, len, &w, &h, &sub, &cs) == 0) {
		int sw = TJSCALED(w, q), sh = TJSCALED(h, q);
		unsigned char *px = xmalloc((size_t)sw * sh * 3), *out = NULL;
		unsigned long olen = 0;
		if (tjDecompress2(d, (unsigned char *)jpg, len, px, sw, 0, sh, TJPF_RGB, 0) == 0 &&
		    tjCompress2(c, px, sw, 0, sh, TJPF_RGB, &out, &olen, TJSAMP_420, 90, 0) == 0)
			rc = 0;
		tjFree(out);
		free(px);
	}
	tjDestroy(d);
	tjDestroy(c);
	free(jpg);
	return rc;
}

static void *worker(void *arg)
{
	job *j = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->n)
			break;
		if (j->floor) {
			if (floor_one(j->photos[i]) < 0)
				j->failed = 1;
			continue;
		}
		prepared_image p;
		sb_err e = {0};
		if (image_prepare(j->photos[i], openai_ops.caps, j->model, "high", j->quality, &p, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			j->failed = 1;
			continue;
		}
		j->tokens[i] = openai_ops.caps->image_tokens(j->model, "high", p.w, p.h);
		j->lines[i] = build_line(j, j->photos[i], &p);
		prepared_image_free(&p);
	}
	return NULL;
}

/* Image tokens of every data URL in a JSONL file. */
static int tokens_of(const char *model, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	long total = 0, n = 0;
	ssize_t len;
	tjhandle tj = tjInitDecompress();
	while ((len = getline(&line, &cap, f)) > 0) {
		const char *u = strstr(line, "base64,");
		if (!u)
			continue;
		u += 7;
		const char *end = strchr(u, '"');
		size_t bl = end ? (size_t)(end - u) : strlen(u);
		unsigned char *jpg = xmalloc(bl);
		long jl = base64_decode(u, bl, jpg);
		int w, h, sub, cs;
		if (jl > 0 && tjDecompressHeader3(tj, jpg, (unsigned long)jl, &w, &h, &sub, &cs) == 0) {
			long t = openai_ops.caps->image_tokens(model, "high", w, h);
			printf("%dx%d %ld\n", w, h, t);
			total += t;
			n++;
		}
		free(jpg);
	}
	tjDestroy(tj);
	free(line);
	fclose(f);
	printf("images %ld image_tokens %ld per_image %.1f\n", n, total, n ? (double)total / n : 0.0);
	return 0;
}

/* User + system CPU of the process so far (a loaded machine's wall clock
 * says little). */
static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv)
{
	int threads = 2, quality = 90, opt;
	const char *model = "gpt-4o", *out = NULL, *kmodel = NULL;
	bool real = false, floor_only = false;
	while ((opt = getopt(argc, argv, "t:m:q:o:rk:f")) != -1) {
		switch (opt) {
		case 't': threads = atoi(optarg); break;
		case 'm': model = optarg; break;
		case 'q': quality = atoi(optarg); break;
		case 'o': out = optarg; break;
		case 'r': real = true; break;
		case 'k': kmodel = optarg; break;
		case 'f': floor_only = true; break;
		default:
			fprintf(stderr, "usage: bench_prepare [-t N] [-m MODEL] [-q Q] [-r] -o OUT.jsonl PHOTO...\n"
					"       bench_prepare -k MODEL FILE.jsonl\n");
			return 2;
		}
	}
	if (kmodel)
		return optind < argc ? tokens_of(kmodel, argv[optind]) : 2;
	if ((!out && !floor_only) || optind >= argc) {
		fprintf(stderr, "bench_prepare: need -o OUT.jsonl and photos\n");
		return 2;
	}
	sb_err e = {0};
	if (tokens_init(NULL, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	job j = { .photos = argv + optind, .n = (size_t)(argc - optind), .model = model, .quality = quality,
		  .floor = floor_only };
	atomic_init(&j.next, 0);
	j.lines = xcalloc(j.n, sizeof *j.lines);
	j.tokens = xcalloc(j.n, sizeof *j.tokens);
	settings cfg;
	settings_defaults(&cfg);
	settings_finish(&cfg);
	if (real && prompt_open(&cfg, &j.pr, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	double t0 = now_mono(), cpu0 = cpu_seconds();
	pthread_t th[16];
	if (threads < 1) threads = 1;
	if (threads > 16) threads = 16;
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, &j);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	if (floor_only) {
		double dt = now_mono() - t0;
		printf("floor: photos %zu threads %d seconds %.3f photos_per_s %.3f cpu_s %.3f\n", j.n,
		       threads, dt, j.n / dt, cpu_seconds() - cpu0);
		return j.failed;
	}
	FILE *f = fopen(out, "w");
	if (!f) {
		perror(out);
		return 1;
	}
	long bytes = 0, toks = 0;
	for (size_t i = 0; i < j.n; i++)
		if (j.lines[i]) {
			fputs(j.lines[i], f);
			bytes += (long)strlen(j.lines[i]);
			toks += j.tokens[i];
			free(j.lines[i]);
		}
	fclose(f);
	double dt = now_mono() - t0;
	printf("photos %zu threads %d seconds %.3f photos_per_s %.3f bytes %ld bytes_per_photo %.0f "
	       "image_tokens_per_photo %.1f cpu_s %.3f\n",
	       j.n, threads, dt, j.n / dt, bytes, (double)bytes / j.n, (double)toks / j.n,
	       cpu_seconds() - cpu0);
	free(j.lines);
	free(j.tokens);
	prompt_close(j.pr);
	settings_free(&cfg);
	return j.failed;
}

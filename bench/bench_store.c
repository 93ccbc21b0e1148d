/* bench_store.c: the state store at library scale.
 *   bench/bench_store [--files N] [--per-batch K] [--saves S] [--dir DIR] [--unsettled 1]
 * Builds a state dir holding N files (N/K completed batches of K, written in
 * the store's on-disk format without fsync, to keep setup short; settled
 * journals hold one line per file as the store leaves them, --unsettled 1
 * keeps the save + three state lines per file of a batch's life), then
 * measures store_open (median of 5) and, through the real API, the time to
 * save one description (store_add_file + store_seal_if_full, as the TUI does;
 * median of S) and one file state change.  Saving must not grow with N. */
#include "config.h"
#include "batchstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmpd);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what, const sb_err *e)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, e ? e->msg : "failed");
	exit(1);
}

/* The on-disk format of batchstore.c: batch.json + files.jsonl per batch. */
static void build(const char *dir, long nfiles, long per, bool unsettled)
{
	sb_err e;
	char *bdir = path_join(dir, "batches");
	if (mkdir_p(bdir, 0755, &e) < 0)
		die(bdir, &e);
	long nb = (nfiles + per - 1) / per, f = 0;
	for (long b = 0; b < nb; b++) {
		char id[40];
		snprintf(id, sizeof id, "b20250101-%06ld-%04lx", b % 1000000, b & 0xffff);
		char *d = path_join(bdir, id);
		if (mkdir_p(d, 0755, &e) < 0)
			die(d, &e);
		char *p = path_join(d, "batch.json");
		FILE *o = fopen(p, "w");
		if (!o)
			die(p, NULL);
		fprintf(o,
			"{ \"id\": \"%s\", \"kind\": \"originals\", \"provider\": \"openai\", \"model\": "
			"\"gpt-4o-mini\", \"state\": \"completed\", \"provider_batch_id\": \"batch_%ld\", "
			"\"created\": \"2025-01-01T00:00:00Z\", \"completed\": \"2025-01-02T00:00:00Z\" }\n",
			id, b);
		fclose(o);
		free(p);
		p = path_join(d, "files.jsonl");
		o = fopen(p, "w");
		if (!o)
			die(p, NULL);
		for (long i = 0; i < per && f < nfiles; i++, f++) {
			/* a description saved, then three state lines: as a real batch ends */
			fprintf(o,
				"{\"op\":\"file\",\"cesta\":\"J:\\\\Foto\\\\2025\\\\IMG_%07ld.JPG\",\"state\":"
				"\"%s\",\"description\":\"Stará dřevěná loďka na břehu jezera "
				"při západu slunce, v pozadí hory a mlha %ld\",\"fingerprint\":\"0123456789abcdef\","
				"\"custom_id\":\"IMG_%07ld_%s\",\"at\":\"2025-01-01T00:00:00Z\"}\n",
				f, unsettled ? "description_saved" : "saved_to_csv", f, f, id);
			if (!unsettled)
				continue;
			static const char *const st[] = {"batch_sent", "batch_completed", "saved_to_csv"};
			for (int k = 0; k < 3; k++)
				fprintf(o,
					"{\"op\":\"state\",\"cesta\":\"J:\\\\Foto\\\\2025\\\\IMG_%07ld.JPG\","
					"\"state\":\"%s\",\"at\":\"2025-01-01T00:00:00Z\"}\n",
					f, st[k]);
		}
		fclose(o);
		free(p);
		free(d);
	}
	free(bdir);
}

int main(int argc, char **argv)
{
	long nfiles = 100000, per = 20;
	int saves = 200;
	const char *dir = NULL;
	bool unsettled = false;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--files"))
			nfiles = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--per-batch"))
			per = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--saves"))
			saves = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--unsettled"))
			unsettled = atoi(argv[i + 1]) != 0;
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
	}
	char tmpl[] = "/tmp/bench_store.XXXXXX";
	char *own = NULL;
	if (!dir) {
		if (!mkdtemp(tmpl))
			die("mkdtemp", NULL);
		dir = own = tmpl;
	}
	double t0 = now_mono();
	build(dir, nfiles, per, unsettled);
	double tbuild = now_mono() - t0;
	sync(); /* the setup's dirty pages must not slow the timed fsyncs */

	sb_err e;
	store *s;
	double opens[5];
	for (int i = 0; i < 5; i++) {
		t0 = now_mono();
		if (store_open(dir, &s, &e) < 0)
			die("store_open", &e);
		opens[i] = now_mono() - t0;
		if (i < 4)
			store_close(s);
	}
	struct rusage ru, ru0, ru1;
	getrusage(RUSAGE_SELF, &ru);

	getrusage(RUSAGE_SELF, &ru0);
	double *sv = calloc((size_t)saves, sizeof *sv), *st = calloc((size_t)saves, sizeof *st);
	char (*ids)[40] = calloc((size_t)saves, 40);
	for (int i = 0; i < saves; i++) {
		batch_info b;
		file_entry f;
		memset(&f, 0, sizeof f);
		char cesta[64];
		snprintf(cesta, sizeof cesta, "J:\\Foto\\new\\IMG_%06d.JPG", i);
		f.cesta = cesta;
		f.description = "Červený tramvajový vůz projíždí zasněženou ulicí starého města večer.";
		f.state = FS_DESCRIPTION_SAVED;
		t0 = now_mono();
		if (store_collecting(s, "originals", "openai", "gpt-4o-mini", &b, &e) < 0 ||
		    store_add_file(s, b.id, &f, &e) < 0 || store_seal_if_full(s, b.id, 20, &e) < 0)
			die("save", &e);
		sv[i] = now_mono() - t0;
		snprintf(ids[i], 40, "%s", b.id);
	}
	getrusage(RUSAGE_SELF, &ru1);
	/* CPU per save: blind to the disk's noise, so the O(1) shows plainly */
	double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec -
		      ru0.ru_stime.tv_sec) +
		     (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec -
		      ru0.ru_stime.tv_usec) / 1e6;
	for (int i = 0; i < saves; i++) {
		char cesta[64];
		snprintf(cesta, sizeof cesta, "J:\\Foto\\new\\IMG_%06d.JPG", i);
		t0 = now_mono();
		if (store_file_set_state(s, ids[i], cesta, FS_PENDING, NULL, &e) < 0)
			die("set_state", &e);
		st[i] = now_mono() - t0;
	}
	store_close(s);
	printf("files=%ld%s batches=%ld build=%.2fs open_median=%.1fms save_median=%.3fms "
	       "save_cpu=%.3fms state_median=%.3fms maxrss=%ldMB\n",
	       nfiles, unsettled ? " (unsettled)" : "", (nfiles + per - 1) / per, tbuild, median(opens, 5) * 1e3,
	       median(sv, saves) * 1e3, cpu / saves * 1e3, median(st, saves) * 1e3, ru.ru_maxrss / 1024);
	free(sv);
	free(st);
	free(ids);
	if (own) {
		char *cmd = xasprintf("rm -rf '%s'", own);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_store: could not remove %s\n", own);
		free(cmd);
	}
	return 0;
}

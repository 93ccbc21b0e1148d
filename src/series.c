/* series.c: perceptual hashes, their cache, the user's corrections and the
 * grouping of photos into series (see series.h). */
#include "config.h"
#include "series.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"
#include "strmap.h"

#define GRID 32 /* the grey picture the DCT looks at */
#define LOW 5   /* its 5 x 5 lowest frequencies, less the DC term: 24 bits */
#define CGX 5   /* two colour planes on 5 x 4 cells: 20 bits each */
#define CGY 4
#define CGRID_N (CGX * CGY)

/* At most this many pixels are summed: the 1/8 decode of a 24 MP photo
 * (750 x 500) whole; a bigger decode (the preview's, for a big pane) every
 * s-th pixel of every s-th row, about as many, so the hash costs the same
 * whatever decode it is given. */
#define SAMPLES_MAX 400000

/* Per cell of GRID x GRID: mean luminance; per cell of CGX x CGY: two
 * colour opponents, red-blue and green-magenta, over the brightness (so
 * exposure leaves them nearly as they are).  A box filter: every source
 * pixel counts once, so noise averages out.  Integer sums per cell in the
 * loop over the pixels: it runs over the whole 1/8 decode. */
static void grids(const image_rgb *im, float g[GRID][GRID], float col[2][CGRID_N])
{
	int s = 1;
	while ((int64_t)(im->w / s) * (im->h / s) > SAMPLES_MAX)
		s++;
	uint32_t sum[GRID][GRID][3];
	uint32_t cnt[GRID][GRID];
	memset(sum, 0, sizeof sum);
	memset(cnt, 0, sizeof cnt);
	int *colx = xmalloc(sizeof(int) * (size_t)im->w);
	for (int x = 0; x < im->w; x++)
		colx[x] = (int)((int64_t)x * GRID / im->w);
	int c = im->channels;
	for (int y = s / 2; y < im->h; y += s) {
		int gy = (int)((int64_t)y * GRID / im->h);
		const unsigned char *p = im->px + ((size_t)y * im->w + (size_t)(s / 2)) * c;
		uint32_t(*srow)[3] = sum[gy];
		uint32_t *crow = cnt[gy];
		for (int x = s / 2; x < im->w; x += s, p += (size_t)s * c) {
			uint32_t *a = srow[colx[x]];
			a[0] += p[0];
			a[1] += p[1];
			a[2] += p[2];
			crow[colx[x]]++;
		}
	}
	free(colx);
	/* the colour of each small cell over its brightness, averaged over the
	 * 8 x 8 small cells of a colour cell: dark and bright parts count alike */
	float cs[2][CGRID_N] = { { 0 } };
	for (int y = 0; y < GRID; y++)
		for (int x = 0; x < GRID; x++) {
			uint32_t *a = sum[y][x], n = cnt[y][x] ? cnt[y][x] : 1;
			g[y][x] = (0.299f * a[0] + 0.587f * a[1] + 0.114f * a[2]) / n;
			float all = (float)n + a[0] + a[1] + a[2];
			int k = y * CGY / GRID * CGX + x * CGX / GRID;
			cs[0][k] += ((float)a[0] - a[2]) / all;
			cs[1][k] += ((float)a[1] - 0.5f * (a[0] + a[2])) / all;
		}
	memcpy(col, cs, sizeof cs);
}

static float cos_tab[LOW][GRID];
static pthread_once_t cos_once = PTHREAD_ONCE_INIT;

static void cos_init(void)
{
	for (int u = 0; u < LOW; u++)
		for (int x = 0; x < GRID; x++)
			cos_tab[u][x] = (float)cos(M_PI * (2 * x + 1) * u / (2.0 * GRID));
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

/* One bit per value, set above the values' median; bits from `shift` on. */
static uint64_t median_bits(const float *v, int n, int shift)
{
	float sorted[64];
	memcpy(sorted, v, sizeof(float) * (size_t)n);
	qsort(sorted, (size_t)n, sizeof(float), cmp_float);
	float med = sorted[(n - 1) / 2];
	uint64_t h = 0;
	for (int i = 0; i < n; i++)
		if (v[i] > med)
			h |= (uint64_t)1 << (shift + i);
	return h;
}

/* 24 bits of shape (the lowest frequencies of the luminance: brightness,
 * the DC term, and contrast, a common factor, leave them as they are) and
 * 40 of colour layout.  Colour tells a frame of the
 * same scene from another subject at the same place, whose shape can be
 * alike (the same sky and hills). */
uint64_t series_hash_image(const image_rgb *im)
{
	if (!im || !im->px || im->w < 1 || im->h < 1)
		return 0;
	pthread_once(&cos_once, cos_init);
	float g[GRID][GRID], rows[GRID][LOW], col[2][CGRID_N], ac[LOW * LOW - 1];
	grids(im, g, col);
	/* the separable DCT-II, only the LOW lowest frequencies of each axis */
	for (int y = 0; y < GRID; y++)
		for (int u = 0; u < LOW; u++) {
			float a = 0;
			for (int x = 0; x < GRID; x++)
				a += g[y][x] * cos_tab[u][x];
			rows[y][u] = a;
		}
	for (int v = 0; v < LOW; v++)
		for (int u = 0; u < LOW; u++) {
			if (!u && !v)
				continue;
			float a = 0;
			for (int y = 0; y < GRID; y++)
				a += rows[y][u] * cos_tab[v][y];
			ac[v * LOW + u - 1] = a;
		}
	return median_bits(ac, LOW * LOW - 1, 0) | median_bits(col[0], CGRID_N, 24) |
	       median_bits(col[1], CGRID_N, 24 + CGRID_N);
}

int series_hash_jpeg(const unsigned char *jpeg, size_t len, uint64_t *out, sb_err *e)
{
	image_rgb im = { 0 };
	if (image_decode_scaled(jpeg, len, SERIES_MIN_SIDE, SERIES_MIN_SIDE, &im, e) < 0)
		return -1;
	*out = series_hash_image(&im);
	image_free(&im);
	return 0;
}

int series_hash_file(const char *path, uint64_t *out, sb_err *e)
{
	series_facts f;
	if (series_facts_of(path, &f, e) < 0)
		return -1;
	*out = f.hash;
	return 0;
}

static bool exif_seconds(const unsigned char *jpeg, size_t len, int64_t *t);

static int facts_of_data(const unsigned char *data, size_t len, series_facts *out, sb_err *e)
{
	memset(out, 0, sizeof *out);
	int rc = series_hash_jpeg(data, len, &out->hash, e);
	out->has_hash = rc == 0;
	out->has_t = exif_seconds(data, len, &out->t);
	return rc;
}

int series_facts_of(const char *path, series_facts *out, sb_err *e)
{
	char *data = NULL;
	size_t len = 0;
	memset(out, 0, sizeof *out);
	if (read_whole_file(path, &data, &len, e) < 0)
		return -1;
	int rc = facts_of_data((const unsigned char *)data, len, out, e);
	free(data);
	return rc;
}

int series_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

/* Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's). */
static int64_t days_of(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool to_seconds(int y, int mo, int d, int h, int mi, int s, int64_t *t)
{
	if (y < 1800 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || s < 0 || s > 60)
		return false;
	*t = days_of(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

bool series_time_of(const char *datum, const char *local, int64_t *t)
{
	int y, mo, d, h, mi, s = 0;
	char tail;
	/* Datum vytvoření: "DD.MM.YYYY HH:MM:SS" (or without the seconds) */
	if (datum && sscanf(datum, " %d.%d.%d %d:%d:%d%c", &d, &mo, &y, &h, &mi, &s, &tail) >= 5 &&
	    to_seconds(y, mo, d, h, mi, s, t))
		return true;
	FILE *f = local ? fopen_regular(local) : NULL;
	if (!f)
		return false;
	/* EXIF sits in the first kilobytes: do not read a 24 MP file whole. */
	unsigned char *buf = xmalloc(256 * 1024);
	size_t n = fread(buf, 1, 256 * 1024, f);
	fclose(f);
	bool ok = exif_seconds(buf, n, t);
	free(buf);
	return ok;
}

static bool exif_seconds(const unsigned char *jpeg, size_t len, int64_t *t)
{
	char dt[20];
	int y, mo, d, h, mi, s;
	return exif_datetime(jpeg, len, dt) &&
	       sscanf(dt, "%d:%d:%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) == 6 &&
	       to_seconds(y, mo, d, h, mi, s, t);
}

/* Each whole line of a state file (a torn last line is dropped); a file
 * not there yet, or unreadable, has none: hashes are made again. */
static void each_line(const char *path, void (*fn)(char *line, void *ctx), void *ctx)
{
	char *data = NULL;
	size_t len = 0;
	sb_err e;
	if (read_whole_file(path, &data, &len, &e) < 0)
		return;
	for (char *line = data, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		fn(line, ctx);
	}
	free(data);
}

/* ---- the cache: "HASH<TAB>SIZE<TAB>MTIME_NS<TAB>TIME or -<TAB>PATH" lines ---- */

typedef struct cached {
	series_facts f;
	int64_t size, mtime;
	bool fresh; /* checked against the file (size, mtime) by this process */
} cached;

struct series_cache {
	pthread_mutex_t mu;
	char *path;
	strmap map; /* local path -> cached */
	bool dirty;
};

static void cache_put_locked(series_cache *c, const char *path, const cached *v)
{
	sm_entry *en = strmap_add(&c->map, path, NULL);
	if (!en->ptr)
		en->ptr = xmalloc(sizeof(cached));
	*(cached *)en->ptr = *v;
}

static void cache_line(char *line, void *ctx)
{
	cached v;
	memset(&v, 0, sizeof v);
	int off = 0;
	char hs[24], tm[24];
	if (sscanf(line, "%23[-0-9a-f]\t%" SCNd64 "\t%" SCNd64 "\t%23[-0-9]\t%n", hs, &v.size,
		   &v.mtime, tm, &off) == 4 &&
	    off > 0 && line[off]) {
		v.f.has_hash = hs[0] != '-';
		v.f.hash = v.f.has_hash ? strtoull(hs, NULL, 16) : 0;
		v.f.has_t = tm[0] != '-';
		v.f.t = v.f.has_t ? strtoll(tm, NULL, 10) : 0;
		cache_put_locked(ctx, line + off, &v);
	}
}

series_cache *series_cache_open(const char *state_dir)
{
	series_cache *c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	strmap_init(&c->map, true);
	c->path = path_join(state_dir, "series-hashes");
	each_line(c->path, cache_line, c);
	return c;
}

void series_cache_free(series_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->map.n; i++)
		free(c->map.e[i].ptr);
	strmap_free(&c->map);
	pthread_mutex_destroy(&c->mu);
	free(c->path);
	free(c);
}

static bool stat_key(const char *path, cached *v)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return false;
	v->size = (int64_t)sb.st_size;
	v->mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	return true;
}

bool series_cache_peek(series_cache *c, const char *path, series_facts *out)
{
	if (!c)
		return false;
	pthread_mutex_lock(&c->mu);
	const cached *v = strmap_get(&c->map, path);
	bool ok = v && v->fresh;
	if (ok)
		*out = v->f;
	pthread_mutex_unlock(&c->mu);
	return ok;
}

bool series_cache_get(series_cache *c, const char *path, series_facts *out)
{
	cached now;
	if (!c || !stat_key(path, &now))
		return false;
	pthread_mutex_lock(&c->mu);
	const cached *v = strmap_get(&c->map, path);
	bool ok = v && v->size == now.size && v->mtime == now.mtime;
	if (ok) {
		*out = v->f;
		((cached *)v)->fresh = true;
	}
	pthread_mutex_unlock(&c->mu);
	return ok;
}

int series_cache_hash(series_cache *c, const char *path, series_facts *out, sb_err *e)
{
	if (series_cache_get(c, path, out))
		return 0;
	char *data = NULL;
	size_t len = 0;
	if (read_whole_file(path, &data, &len, e) < 0)
		return -1;
	image_rgb im = { 0 };
	sb_err e2;
	bool ok = image_decode_scaled((const unsigned char *)data, len, SERIES_MIN_SIDE,
				      SERIES_MIN_SIDE, &im, &e2) == 0; /* not a JPEG: no hash */
	int rc = series_cache_put_image(c, path, ok ? &im : NULL, (const unsigned char *)data, len,
					out);
	image_free(&im);
	free(data);
	if (rc < 0)
		return sb_fail(e, SBE_IO, _("cannot open %s: %s"), path, strerror(errno));
	return 0;
}

int series_cache_put_image(series_cache *c, const char *path, const image_rgb *im,
			   const unsigned char *data, size_t len, series_facts *out)
{
	cached v;
	if (!stat_key(path, &v))
		return -1;
	memset(&v.f, 0, sizeof v.f);
	if (im && im->px) {
		v.f.hash = series_hash_image(im);
		v.f.has_hash = true;
	}
	v.f.has_t = data && exif_seconds(data, len, &v.f.t);
	v.fresh = true;
	if (out)
		*out = v.f;
	if (c) {
		pthread_mutex_lock(&c->mu);
		cache_put_locked(c, path, &v);
		c->dirty = true;
		pthread_mutex_unlock(&c->mu);
	}
	return 0;
}

int series_cache_save(series_cache *c, sb_err *e)
{
	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	if (!c->dirty) {
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	sbuf b = { 0 };
	for (size_t i = 0; i < c->map.n; i++) {
		const cached *v = c->map.e[i].ptr;
		char hs[24] = "-", tm[24] = "-";
		if (v->f.has_hash)
			snprintf(hs, sizeof hs, "%016" PRIx64, v->f.hash);
		if (v->f.has_t)
			snprintf(tm, sizeof tm, "%" PRId64, v->f.t);
		sbuf_printf(&b, "%s\t%" PRId64 "\t%" PRId64 "\t%s\t%s\n", hs, v->size, v->mtime, tm,
			    c->map.e[i].key);
	}
	c->dirty = false;
	pthread_mutex_unlock(&c->mu);
	int rc = atomic_write(c->path, b.p ? b.p : "", b.len, 0600, e);
	sbuf_free(&b);
	if (rc < 0) { /* the next save tries again */
		pthread_mutex_lock(&c->mu);
		c->dirty = true;
		pthread_mutex_unlock(&c->mu);
	}
	return rc;
}

/* ---- the user's corrections: "detach<TAB>CESTA" and "split<TAB>CESTA" ---- */

struct series_edits {
	char *path;
	strmap map; /* Cesta -> SERIES_* bits in aux */
};

static void edit_line(char *line, void *ctx)
{
	series_edits *s = ctx;
	char *tab = strchr(line, '\t');
	if (!tab || !tab[1])
		return;
	*tab = '\0';
	int what = !strcmp(line, "detach")  ? SERIES_DETACH
		   : !strcmp(line, "split") ? SERIES_SPLIT
					    : 0;
	if (what)
		strmap_add(&s->map, tab + 1, NULL)->aux |= what;
}

series_edits *series_edits_open(const char *state_dir)
{
	series_edits *s = xcalloc(1, sizeof *s);
	strmap_init(&s->map, true);
	s->path = path_join(state_dir, "series-edits");
	each_line(s->path, edit_line, s);
	return s;
}

void series_edits_free(series_edits *s)
{
	if (!s)
		return;
	strmap_free(&s->map);
	free(s->path);
	free(s);
}

int series_edits_of(const series_edits *s, const char *cesta)
{
	const sm_entry *en = s ? strmap_find(&s->map, cesta) : NULL;
	return en ? en->aux : 0;
}

int series_edits_add(series_edits *s, const char *cesta, series_edit what, sb_err *e)
{
	if (strchr(cesta, '\n') || strchr(cesta, '\t'))
		return sb_fail(e, SBE_INPUT, "%s", _("a path with a tab or a line break"));
	char *line = xasprintf("%s\t%s", what == SERIES_DETACH ? "detach" : "split", cesta);
	int rc = append_line_sync(s->path, line, e);
	free(line);
	if (rc == 0)
		strmap_add(&s->map, cesta, NULL)->aux |= what;
	return rc;
}

/* ---- grouping ---- */

size_t series_folder_len(const char *cesta)
{
	const char *a = strrchr(cesta, '/'), *b = strrchr(cesta, '\\');
	const char *cut = a > b ? a : b;
	return cut ? (size_t)(cut - cesta) : 0;
}

/* Folders compared with '\\' read as '/': one CSV may hold both. */
static int folder_cmp(const series_photo *a, const series_photo *b)
{
	size_t la = series_folder_len(a->cesta), lb = series_folder_len(b->cesta);
	for (size_t i = 0; i < la && i < lb; i++) {
		unsigned char x = a->cesta[i] == '\\' ? '/' : (unsigned char)a->cesta[i];
		unsigned char y = b->cesta[i] == '\\' ? '/' : (unsigned char)b->cesta[i];
		if (x != y)
			return x < y ? -1 : 1;
	}
	return la == lb ? 0 : la < lb ? -1 : 1;
}

static const series_photo *sort_base;

static int by_folder_time(const void *pa, const void *pb)
{
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const series_photo *a = &sort_base[ia], *b = &sort_base[ib];
	int c = folder_cmp(a, b);
	if (c)
		return c;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return ia < ib ? -1 : ia > ib; /* stable */
}

void series_sort(const series_photo *p, size_t n, size_t *ord)
{
	static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	pthread_mutex_lock(&sort_mu); /* qsort has no context argument */
	sort_base = p;
	qsort(ord, n, sizeof *ord, by_folder_time);
	pthread_mutex_unlock(&sort_mu);
}

bool series_same_folder(const series_photo *a, const series_photo *b)
{
	return folder_cmp(a, b) == 0;
}

static bool can_join(const series_photo *p)
{
	return p->has_t && p->has_hash && !(p->edits & SERIES_DETACH);
}

/* A series still open to new frames: its first photo and its last frame. */
typedef struct open_series {
	size_t first, last, size;
} open_series;

size_t series_group(const series_photo *p, size_t n, int gap, int distance, size_t *group)
{
	for (size_t i = 0; i < n; i++)
		group[i] = i;
	if (gap <= 0)
		return 0; /* series are off */
	size_t *ord = xmalloc(sizeof(size_t) * (n ? n : 1));
	series_sort(p, n, ord);
	/* Series open in the current folder, most recent last: a burst may be
	 * interrupted by another shot and go on after it. */
	open_series *open = xmalloc(sizeof *open * (n ? n : 1));
	size_t *next = xmalloc(sizeof(size_t) * (n ? n : 1)); /* the series' next frame */
	for (size_t i = 0; i < n; i++)
		next[i] = SIZE_MAX;
	size_t nopen = 0, series = 0, prev = SIZE_MAX;
	for (size_t k = 0; k < n; k++) {
		size_t i = ord[k];
		const series_photo *cur = &p[i];
		/* a split is the user's word: the frames before it and after it
		 * never join, even while its own hash is still to come */
		if ((cur->edits & SERIES_SPLIT) && cur->has_t)
			nopen = 0;
		if (!can_join(cur))
			continue; /* alone, and the open series stay open */
		if (prev != SIZE_MAX && folder_cmp(cur, &p[prev]) != 0)
			nopen = 0;
		prev = i;
		/* forget the series whose last frame is too long ago */
		size_t keep = 0;
		for (size_t s = 0; s < nopen; s++)
			if (cur->t - p[open[s].last].t <= gap)
				open[keep++] = open[s];
		nopen = keep;
		/* the series whose frames are nearest on average (one near frame
		 * is not enough: a near miss at the same place is near the frame
		 * that shows most of the place), the most recent among equals */
		size_t best = SIZE_MAX;
		double best_d = distance + 0.5;
		for (size_t s = 0; s < nopen; s++) {
			int sum = 0, cnt = 0;
			for (size_t j = open[s].first; j != SIZE_MAX; j = next[j], cnt++)
				sum += series_distance(cur->hash, p[j].hash);
			double mean = cnt ? (double)sum / cnt : 65;
			if (mean <= distance && mean <= best_d) {
				best_d = mean;
				best = s;
			}
		}
		if (best != SIZE_MAX) {
			group[i] = open[best].first;
			next[open[best].last] = i;
			open[best].last = i;
			if (++open[best].size == 2)
				series++;
			continue;
		}
		open[nopen++] = (open_series){ i, i, 1 };
	}
	free(next);
	free(open);
	free(ord);
	return series;
}

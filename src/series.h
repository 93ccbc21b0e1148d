/* series.h: series of similar photos (SPEC 13): photos of one folder taken
 * close in time and alike in content are described once.  Content is a
 * 64-bit perceptual hash from the 1/8 DCT-scaled decode (the lowest
 * frequencies of a 32 x 32 grey picture and a 5 x 4 colour layout),
 * compared by Hamming distance; hashes are cached in
 * the state dir keyed by path, size and mtime.  The user's corrections
 * (a frame taken out of its series, a series split at a frame) are kept
 * there too.  No curses here. */
#ifndef SB_SERIES_H
#define SB_SERIES_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "imageprep.h"
#include "util.h"

/* The hash of a decoded picture (any size, RGB). */
uint64_t series_hash_image(const image_rgb *im);
/* The smallest decode the hash looks at (pixels a side): a decode made for
 * another use (the preview's) serves when it is at least this big. */
#define SERIES_MIN_SIDE 32
/* Decode a JPEG at the smallest DCT scale that still gives 32 x 32 and
 * hash it. */
int series_hash_jpeg(const unsigned char *jpeg, size_t len, uint64_t *out, sb_err *e);
int series_hash_file(const char *path, uint64_t *out, sb_err *e);
/* Bits that differ. */
int series_distance(uint64_t a, uint64_t b);

/* When a photo was taken, in seconds (for differences only): the CSV's
 * Datum vytvoření ("DD.MM.YYYY HH:MM:SS"; a day alone is not enough),
 * else the EXIF DateTimeOriginal of the file at local (may be NULL). */
bool series_time_of(const char *datum, const char *local, int64_t *t);

/* What the cache keeps of a file: its hash and its EXIF time (read from
 * the same bytes, so the UI thread never opens a photo for it). */
typedef struct series_facts {
	uint64_t hash;
	bool has_hash; /* false: not a readable JPEG (kept, not tried again) */
	int64_t t;
	bool has_t;
} series_facts;
/* The facts of a JPEG file (read whole, decoded at 1/8); -1 when it cannot
 * be read or decoded (has_hash false). */
int series_facts_of(const char *path, series_facts *out, sb_err *e);

/* The hash cache (STATE_DIR/series-hashes, mode 0600): thread-safe, so the
 * previewer's thread fills it while the UI reads it. */
typedef struct series_cache series_cache;
series_cache *series_cache_open(const char *state_dir);
void series_cache_free(series_cache *c);
/* The cached facts of the file at path as it is now (size and mtime). */
bool series_cache_get(series_cache *c, const char *path, series_facts *out);
/* The cached facts only when this process checked them against the file
 * already (get or hash): no file system call, for the UI thread. */
bool series_cache_peek(series_cache *c, const char *path, series_facts *out);
/* Cached, else computed and cached: 0 when the facts are known (a file that
 * is not a readable JPEG is known to have no hash), -1 when the file cannot
 * be read. */
int series_cache_hash(series_cache *c, const char *path, series_facts *out, sb_err *e);
/* The facts of the file at path from a decode made already (im: oriented,
 * at least SERIES_MIN_SIDE a side; NULL when the file would not decode)
 * and the bytes it came from (the EXIF time), cached: so the previewer's
 * own decode gives the hash.  -1 when the file cannot be looked at. */
int series_cache_put_image(series_cache *c, const char *path, const image_rgb *im,
			   const unsigned char *data, size_t len, series_facts *out);
/* Write the cache if anything was added (atomic; one thread at a time:
 * the previewer's while the TUI runs, then collect_close). */
int series_cache_save(series_cache *c, sb_err *e);

/* The user's corrections (STATE_DIR/series-edits, by Cesta). */
typedef enum { SERIES_DETACH = 1, SERIES_SPLIT = 2 } series_edit;
typedef struct series_edits series_edits;
series_edits *series_edits_open(const char *state_dir);
void series_edits_free(series_edits *s);
int series_edits_of(const series_edits *s, const char *cesta); /* SERIES_* bits */
/* Durable before returning. */
int series_edits_add(series_edits *s, const char *cesta, series_edit what, sb_err *e);

/* One photo as grouping sees it. */
typedef struct series_photo {
	const char *cesta; /* its folder: the part before the last / or \\ */
	int64_t t;
	bool has_t;
	uint64_t hash;
	bool has_hash;
	int edits; /* SERIES_* */
} series_photo;

/* Group n photos: group[i] gets the index of the first photo (in time
 * order) of photo i's series, i itself for a photo alone.  In one folder,
 * in time order, a photo joins the open series taken at most gap seconds
 * before it (by its last frame) whose frames' hashes are, on average,
 * within distance of its own (the nearest such series).  A photo without a time or a hash, or detached, stands
 * alone; a split starts a new series.  Returns the number of series of
 * two or more. */
size_t series_group(const series_photo *p, size_t n, int gap, int distance, size_t *group);
/* Indices 0..n-1 of p in folder and time order (ord: n entries). */
void series_sort(const series_photo *p, size_t n, size_t *ord);
/* Whether two photos are in one folder ('\\' and '/' alike). */
bool series_same_folder(const series_photo *a, const series_photo *b);
/* The folder part of a Cesta (a pointer into it and its length). */
size_t series_folder_len(const char *cesta);

#endif

/* imageprep.h: JPEG in, model-sized JPEG out (SPEC 5.1).  Decode with
 * libjpeg-turbo using DCT scaling (never the full 24 MP when 1/4 will do),
 * apply EXIF orientation, resize to exactly what the model uses, encode at
 * the configured quality.  Also the scaled decode for the TUI preview. */
#ifndef SB_IMAGEPREP_H
#define SB_IMAGEPREP_H
#include "util.h"

typedef struct image_rgb {
	unsigned char *px; /* RGB or RGBA, row-major */
	int w, h, channels;
} image_rgb;
void image_free(image_rgb *im);

/* EXIF orientation (1..8) of a JPEG buffer, 1 if none or unreadable. */
int exif_orientation(const unsigned char *jpeg, size_t len);
/* EXIF DateTimeOriginal (else DateTimeDigitized, else IFD0 DateTime) as
 * "DD MM YYYY" (editorial prefill); false if none. */
bool exif_date(const unsigned char *jpeg, size_t len, char out[16]);
/* The same tag as it is written, "YYYY:MM:DD HH:MM:SS" (series times). */
bool exif_datetime(const unsigned char *jpeg, size_t len, char out[20]);
/* The embedded EXIF thumbnail or MPF preview JPEG, if any (points into jpeg). */
bool exif_preview(const unsigned char *jpeg, size_t len, const unsigned char **prev, size_t *plen);

/* Decode at the smallest DCT scale that is still >= min_w x min_h (after
 * orientation), orientation applied.  min 0 = full size. */
int image_decode_scaled(const unsigned char *jpeg, size_t len, int min_w, int min_h, image_rgb *out,
			sb_err *e);
/* The request image: oriented, at the size the model looks at (the
 * provider's caps->image_size, e.g. OpenAI's tile and patch rules, Gemini's
 * long side capped), JPEG at quality q. */
struct provider_caps;
typedef struct prepared_image {
	unsigned char *jpeg;
	size_t len;
	int w, h;           /* sent size */
	int orig_w, orig_h; /* oriented original size */
} prepared_image;
int image_prepare(const char *path, const struct provider_caps *caps, const char *model,
		  const char *detail, int quality, prepared_image *out, sb_err *e);
void prepared_image_free(prepared_image *p);
/* The picture the model sees for a library file: the file itself, or for a
 * video (or anything else) a JPEG sidecar as its poster frame; NULL if
 * none.  Caller frees. */
char *image_jpeg_of(const char *path);
/* The oriented size of a JPEG file from its header and EXIF (no decode). */
int image_file_size(const char *path, int *w, int *h, sb_err *e);
/* Rotate/flip per EXIF orientation o (1..8) in place (a new buffer);
 * 1 or out of range: unchanged. */
int image_orient(image_rgb *im, int o);
/* Resize (area/bilinear) to exactly w x h. */
int image_resize(const image_rgb *in, int w, int h, image_rgb *out);
int image_encode_jpeg(const image_rgb *im, int quality, unsigned char **out, size_t *len,
		      sb_err *e);
#endif

/* imagedecode.h: the still formats other than JPEG (PNG by libpng, TIFF by
 * libtiff, HEIC/HEIF by libheif, camera RAW by its embedded preview through
 * libraw) decoded to the same RGB imageprep.c makes of a JPEG.  imageprep.c
 * calls it for any buffer that is not a JPEG; nothing else needs to. */
#ifndef SB_IMAGEDECODE_H
#define SB_IMAGEDECODE_H
#include "imageprep.h"

/* Whether the bytes start like a JPEG (SOI marker). */
bool image_is_jpeg(const unsigned char *data, size_t len);
/* Decode a PNG, TIFF, HEIC/HEIF or RAW file's bytes to RGB (3 channels) in
 * the file's stored axes; *orientation (EXIF 1..8) is what is still to be
 * applied.  For a RAW file, the embedded preview (min_w x min_h guides the
 * JPEG preview's DCT scale).  SBE_INPUT with a reason when unreadable. */
int image_decode_other(const unsigned char *data, size_t len, int min_w, int min_h, image_rgb *out,
		       int *orientation, sb_err *e);
/* EXIF orientation (1..8) of a bare EXIF/TIFF block ("II*\0" or
 * "MM\0*"), as PNG's eXIf chunk carries it; 1 if none. */
int exif_orientation_tiff(const unsigned char *tiff, size_t len);
#endif

/* embed.h: the metadata of PhotoMedia.csv written into the photos
 * themselves, where every agency reads it on upload: XMP through exempi
 * (dc:title, dc:description, dc:subject, photoshop:Headline) and the IPTC
 * IIM the XMP toolkit writes from them (ObjectName, Headline,
 * Caption-Abstract, Keywords, with the UTF-8 coded character set).  The
 * image data is never decoded or re-encoded: the toolkit copies the JPEG's
 * segments and replaces the metadata ones, once per photo, into a temp file
 * beside the target (a hard link of the photo until then: nothing is copied
 * first) that is fsynced and renamed over it (in place) or into a copy in
 * another directory. */
#ifndef SB_EMBED_H
#define SB_EMBED_H
#include <stdbool.h>

#include "settings.h"
#include "util.h"

typedef struct embed_opts {
	bool in_place;       /* rewrite the photos themselves */
	const char *out_dir; /* copies here (NULL: "embedded" beside the media CSV) */
	bool backup;         /* in place: each photo as it was kept first, under
			      * "embed-backup/YYYYmmdd_HHMMSS/" beside the media CSV
			      * (a hard link when it can be: no copy) */
} embed_opts;

typedef struct embed_item {
	char *file, *path, *reason; /* reason NULL: written to path */
	long line;
} embed_item;

typedef struct embed_result {
	char *out_dir;    /* NULL in place */
	char *backup_dir; /* --backup: where the photos as they were went */
	embed_item *items;
	size_t n, written, left_out;
} embed_result;

/* Every prepared JPEG row (a status "připraveno") with title, description
 * and keywords; the others of them are left out with the reason. */
int embed_photos(const settings *cfg, const embed_opts *o, embed_result *r, sb_err *e);
/* One file: the metadata into src, written to dst (may equal src). */
int embed_file(const char *src, const char *dst, const char *title, const char *description,
	       const char *const *keywords, size_t nkeywords, sb_err *e);
void embed_result_free(embed_result *r);

#endif

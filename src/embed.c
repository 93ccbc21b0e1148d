/* embed.c: title, description and keywords into the JPEG (embed.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <exempi/xmp.h>
#include <exempi/xmpconsts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "embed.h"
#include "i18n.h"
#include "photomedia.h"

/* ---- XMP ------------------------------------------------------------------- */

/* The toolkit imports an Exif time "10:01:00" as "10:01" and exports that
 * back as "10:01:  ": spelling the seconds out keeps the Exif bytes. */
static void keep_seconds(XmpPtr x, const char *ns, const char *name)
{
	XmpStringPtr v = xmp_string_new();
	if (xmp_get_property(x, ns, name, v, NULL)) {
		const char *t = xmp_string_cstr(v), *tp = strchr(t, 'T');
		if (tp && strlen(tp) >= 6 && tp[3] == ':' && (tp[6] == 0 || strchr("+-Z", tp[6]))) {
			char *w = xasprintf("%.*s:00%s", (int)(tp + 6 - t), t, tp + 6);
			xmp_set_property(x, ns, name, w, 0);
			free(w);
		}
	}
	xmp_string_free(v);
}

static int xmp_write(const char *path, const char *title, const char *desc, const char *const *kw,
		     size_t nkw, sb_err *e)
{
	XmpFilePtr f = xmp_files_open_new(path, XMP_OPEN_FORUPDATE);
	if (!f)
		return sb_fail(e, SBE_INPUT, _("exempi cannot open the JPEG for update (error %d)"),
			       xmp_get_error());
	XmpPtr x = xmp_files_get_new_xmp(f);
	if (!x)
		x = xmp_new_empty();
	keep_seconds(x, NS_XAP, "ModifyDate");
	keep_seconds(x, NS_XAP, "CreateDate");
	keep_seconds(x, NS_EXIF, "DateTimeOriginal");
	keep_seconds(x, NS_EXIF, "DateTimeDigitized");
	xmp_delete_property(x, NS_DC, "title");
	xmp_delete_property(x, NS_DC, "description");
	xmp_delete_property(x, NS_DC, "subject");
	bool ok = xmp_set_localized_text(x, NS_DC, "title", "", "x-default", title, 0) &&
		  xmp_set_localized_text(x, NS_DC, "description", "", "x-default", desc, 0) &&
		  xmp_set_property(x, NS_PHOTOSHOP, "Headline", title, 0);
	for (size_t i = 0; ok && i < nkw; i++)
		ok = xmp_append_array_item(x, NS_DC, "subject", XMP_PROP_VALUE_IS_ARRAY, kw[i], 0);
	int rc = 0;
	if (!ok || !xmp_files_can_put_xmp(f, x) || !xmp_files_put_xmp(f, x))
		rc = sb_fail(e, SBE_GENERIC, _("exempi cannot write the XMP (error %d)"),
			     xmp_get_error());
	/* a safe update writes a new file and renames it over path: a path
	 * that is a hard link of the photo (stage_photo) never changes it */
	if (!xmp_files_close(f, XMP_CLOSE_SAFEUPDATE) && rc == 0)
		rc = sb_fail(e, SBE_IO, _("exempi cannot write the JPEG (error %d)"),
			     xmp_get_error());
	xmp_free(x);
	xmp_files_free(f);
	return rc;
}

/* ---- one file -------------------------------------------------------------- */

#define EMBED_IOBUF (1 << 20)

/* A plain copy of the open photo into fd (when a hard link cannot be made). */
static int copy_photo(int in, int out, const char *tmp, sb_err *e)
{
	char *buf = xmalloc(EMBED_IOBUF);
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, EMBED_IOBUF)) > 0)
		if (util_write_all(out, buf, (size_t)n) < 0) {
			rc = sb_fail(e, SBE_IO, "%s: %s", tmp, strerror(errno));
			break;
		}
	if (n < 0 && rc == 0)
		rc = sb_fail(e, SBE_IO, "%s", strerror(errno));
	free(buf);
	return rc;
}

/* The photo at a temp name beside dst, for the XMP toolkit to rewrite: a
 * hard link to src when they share a file system and src is ours to write
 * (no byte is written: the toolkit writes the new photo once, into a file
 * of its own that takes the temp name, and src keeps its bytes), else a
 * copy. */
static int stage_photo(const char *src, int in, const struct stat *st, const char *dst, char **tmp,
		       sb_err *e)
{
	int fd = util_create_temp(dst, tmp, e);
	if (fd < 0)
		return -1;
	/* exempi opens what it updates for writing, and looks at the mode */
	if ((st->st_mode & S_IWUSR) && access(src, W_OK) == 0) {
		close(fd);
		if (unlink(*tmp) == 0 && link(src, *tmp) == 0)
			return 0;
		/* another file system: a copy, under the name we had (taken back
		 * unless someone planted a file there meanwhile) */
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			sb_fail(e, SBE_IO, "%s: %s", *tmp, strerror(errno));
			free(*tmp);
			*tmp = NULL; /* not ours to remove */
			return -1;
		}
	}
	int rc = copy_photo(in, fd, *tmp, e);
	if (close(fd) != 0 && rc == 0)
		rc = sb_fail(e, SBE_IO, "%s: %s", *tmp, strerror(errno));
	return rc;
}

int embed_file(const char *src, const char *dst, const char *title, const char *description,
	       const char *const *keywords, size_t nkeywords, sb_err *e)
{
	struct stat st;
	int in = open_regular(src);
	unsigned char soi[2] = { 0 };
	if (in < 0 || fstat(in, &st) < 0) {
		int er = errno;
		if (in >= 0)
			close(in);
		return sb_fail(e, SBE_IO, "%s: %s", src, open_error(er));
	}
	if (read(in, soi, 2) != 2 || soi[0] != 0xFF || soi[1] != 0xD8) {
		close(in);
		return sb_fail(e, SBE_INPUT, _("%s: not a JPEG"), src);
	}
	lseek(in, 0, SEEK_SET);
	char *tmp = NULL;
	/* XMP and IPTC in one pass: the XMP toolkit writes the IPTC IIM (and
	 * EXIF's description) from the XMP it is given */
	int rc = stage_photo(src, in, &st, dst, &tmp, e);
	close(in);
	if (rc == 0)
		rc = xmp_write(tmp, title, description, keywords, nkeywords, e);
	if (rc == 0) {
		/* the photo keeps its mode; the data reaches the disk before the name */
		int fd2 = open(tmp, O_RDWR | O_CLOEXEC);
		struct stat ts;
		if (fd2 >= 0 && fstat(fd2, &ts) == 0 && ts.st_ino == st.st_ino &&
		    ts.st_dev == st.st_dev)
			rc = sb_fail(e, SBE_GENERIC, _("exempi did not write a new file for %s"),
				     src);
		else if (fd2 < 0 || fchmod(fd2, st.st_mode & 07777) < 0 || fsync(fd2) < 0)
			rc = sb_fail(e, SBE_IO, "%s: %s", tmp, strerror(errno));
		if (fd2 >= 0)
			close(fd2);
	}
	if (rc == 0 && rename(tmp, dst) < 0)
		rc = sb_fail(e, SBE_IO, "%s: %s", dst, strerror(errno));
	if (rc == 0)
		fsync_dir_of(dst);
	else if (tmp)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* ---- the library ----------------------------------------------------------- */

static bool row_prepared(const mediacsv *m, size_t row)
{
	for (size_t c = 0; c < mediacsv_cols(m); c++) {
		const char *name = mediacsv_colname(m, c);
		size_t n = strlen(name);
		if (n > 7 && !strcmp(name + n - 7, " status") &&
		    !strcmp(mediacsv_get(m, row, (int)c), MC_ST_PREPARED))
			return true;
	}
	return false;
}

static bool is_jpeg_name(const char *f)
{
	const char *dot = strrchr(f, '.');
	return dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

/* Keywords "a, b, c" split (trimmed, empty ones dropped). */
static size_t split_keywords(const char *s, char ***out)
{
	char **v = NULL;
	size_t n = 0;
	while (*s) {
		while (*s == ' ')
			s++;
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		size_t l = len;
		while (l && s[l - 1] == ' ')
			l--;
		if (l) {
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = xstrndup(s, l);
		}
		s += len;
		if (*s == ',')
			s++;
	}
	*out = v;
	return n;
}

static void add_item(embed_result *r, const mediacsv *m, size_t row, const char *path, char *reason)
{
	r->items = xrealloc(r->items, (r->n + 1) * sizeof *r->items);
	embed_item *it = &r->items[r->n++];
	it->file = xstrdup(mediacsv_field(m, row, MC_SOUBOR));
	it->path = path ? xstrdup(path) : NULL;
	it->line = mediacsv_lineno(m, row);
	it->reason = reason;
	if (reason)
		r->left_out++;
	else
		r->written++;
}

/* --backup: the photo as it is, before it is rewritten in place, under
 * the backup folder at its path below the CSV's folder (else its name): a
 * hard link (the rename then leaves the old data to the link, no copy), or
 * a copy across file systems.  A backup already there is the older one:
 * kept. */
static int keep_original(const settings *cfg, const char *backup_dir, const char *src, sb_err *e)
{
	char *top = path_dirname(cfg->media_csv);
	size_t tl = strlen(top);
	const char *rel =
		strncmp(src, top, tl) == 0 && src[tl] == '/' ? src + tl + 1 : path_basename(src);
	char *bk = path_join(backup_dir, rel), *bdir = path_dirname(bk);
	int rc = 0;
	if (mkdir_p(bdir, 0700, e) < 0)
		rc = -1;
	else if (!file_exists(bk) && link(src, bk) < 0) {
		char *data = NULL;
		size_t len = 0;
		struct stat st;
		if (stat(src, &st) < 0 || read_whole_file(src, &data, &len, e) < 0)
			rc = sb_fail(e, SBE_IO, "%s: %s", src, strerror(errno));
		else
			rc = atomic_write_like(bk, data, len, &st, e);
		free(data);
	}
	free(bdir);
	free(bk);
	free(top);
	return rc;
}

static void embed_row(const settings *cfg, const embed_opts *o, const mediacsv *m, size_t row,
		      embed_result *r)
{
	const char *soubor = mediacsv_field(m, row, MC_SOUBOR);
	const char *title = mediacsv_field(m, row, MC_NAZEV);
	const char *desc = mediacsv_field(m, row, MC_POPIS);
	const char *kws = mediacsv_field(m, row, MC_KLICOVA);
	if (!is_jpeg_name(soubor)) {
		add_item(r, m, row, NULL, xstrdup(_("not a JPEG")));
		return;
	}
	if (!*title || !*desc || !*kws) {
		add_item(r, m, row, NULL,
			 xstrdup(_("metadata missing (title, description or keywords empty)")));
		return;
	}
	char *src = settings_map_path(cfg, mediacsv_field(m, row, MC_CESTA));
	if (!file_exists(src)) {
		add_item(r, m, row, NULL, xasprintf(_("file not found: %s"), src));
		free(src);
		return;
	}
	char *dst = o->in_place ? xstrdup(src) : path_join(r->out_dir, path_basename(src));
	if (o->in_place) {
		/* a run killed before its rename left a temp file beside the photo */
		char *dir = path_dirname(dst);
		util_remove_dead_temps(dir, path_basename(dst));
		free(dir);
	}
	sb_err be;
	sb_err_clear(&be);
	if (o->in_place && r->backup_dir && keep_original(cfg, r->backup_dir, src, &be) < 0) {
		add_item(r, m, row, NULL,
			 xasprintf(_("no backup (%s): the photo was not touched"), be.msg));
		free(src);
		free(dst);
		return;
	}
	char **kw = NULL;
	size_t nkw = split_keywords(kws, &kw);
	sb_err e;
	sb_err_clear(&e);
	if (embed_file(src, dst, title, desc, (const char *const *)kw, nkw, &e) < 0)
		add_item(r, m, row, NULL, xstrdup(e.msg));
	else
		add_item(r, m, row, dst, NULL);
	for (size_t i = 0; i < nkw; i++)
		free(kw[i]);
	free(kw);
	free(src);
	free(dst);
}

int embed_photos(const settings *cfg, const embed_opts *o, embed_result *r, sb_err *e)
{
	memset(r, 0, sizeof *r);
	mediacsv *m = NULL;
	if (mediacsv_load(cfg->media_csv, &m, e) < 0)
		return -1;
	if (o->in_place && o->backup) {
		char stamp[32], *dir = path_dirname(cfg->media_csv);
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(stamp, sizeof stamp, "embed-backup/%Y%m%d_%H%M%S", &tm);
		r->backup_dir = path_join(dir, stamp);
		free(dir);
	}
	if (!o->in_place) {
		char *dir = path_dirname(cfg->media_csv);
		r->out_dir = o->out_dir ? xstrdup(o->out_dir) : path_join(dir, "embedded");
		free(dir);
		if (mkdir_p(r->out_dir, 0755, e) < 0) {
			mediacsv_free(m);
			return -1;
		}
	}
	if (!xmp_init()) {
		mediacsv_free(m);
		return sb_fail(e, SBE_GENERIC, _("exempi could not be initialised"));
	}
	for (size_t row = 0; row < mediacsv_rows(m); row++)
		if (row_prepared(m, row))
			embed_row(cfg, o, m, row, r);
	xmp_terminate();
	mediacsv_free(m);
	return 0;
}

void embed_result_free(embed_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].file);
		free(r->items[i].path);
		free(r->items[i].reason);
	}
	free(r->items);
	free(r->out_dir);
	free(r->backup_dir);
	memset(r, 0, sizeof *r);
}

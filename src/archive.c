/* archive.c: pack batch folders with libarchive (tar.gz): old batches in
 * phase 0 (SPEC 3: archived, not deleted) and `export BATCH` for support. */
#include "config.h"
#define SB_WANT_LIBARCHIVE 1

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "archive.h"
#include "i18n.h"

static int add_tree(struct archive *a, const char *dir, const char *name, sb_err *e)
{
	DIR *d = opendir(dir);
	if (!d)
		return sb_fail(e, SBE_IO, _("cannot read %s: %s"), dir, strerror(errno));
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *path = path_join(dir, de->d_name);
		char *ename = xasprintf("%s/%s", name, de->d_name);
		struct stat sb;
		if (lstat(path, &sb) < 0) {
			rc = sb_fail(e, SBE_IO, _("cannot read %s: %s"), path, strerror(errno));
		} else if (S_ISDIR(sb.st_mode)) {
			rc = add_tree(a, path, ename, e);
		} else if (S_ISREG(sb.st_mode)) {
			struct archive_entry *en = archive_entry_new();
			archive_entry_set_pathname(en, ename);
			archive_entry_copy_stat(en, &sb);
			if (archive_write_header(a, en) != ARCHIVE_OK) {
				rc = sb_fail(e, SBE_IO, _("cannot write the archive: %s"),
					     archive_error_string(a));
			} else {
				int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
				char buf[65536];
				ssize_t r = 0;
				while (fd >= 0 && (r = read(fd, buf, sizeof buf)) > 0)
					if (archive_write_data(a, buf, (size_t)r) < 0) {
						r = -1;
						break;
					}
				if (fd < 0 || r < 0)
					rc = sb_fail(e, SBE_IO, _("cannot pack %s: %s"), path,
						     fd < 0 ? strerror(errno)
							    : archive_error_string(a));
				if (fd >= 0)
					close(fd);
			}
			archive_entry_free(en);
		}
		free(path);
		free(ename);
	}
	closedir(d);
	return rc;
}

int archive_dir(const char *dir, const char *prefix, const char *out_path, sb_err *e)
{
	bool to_stdout = strcmp(out_path, "-") == 0;
	char *tmp = NULL;
	/* The folder itself is never followed out of the state dir (its
	 * entries are lstat'ed by add_tree), and the archive is written to a
	 * new temp file (0600, like the state it holds): a stale or planted
	 * name is never written through. */
	struct stat dsb;
	int lr = lstat(dir, &dsb);
	if (lr < 0 || !S_ISDIR(dsb.st_mode)) {
		int err = lr < 0 ? errno : S_ISLNK(dsb.st_mode) ? ELOOP : ENOTDIR;
		free(tmp);
		return sb_fail(e, SBE_IO, _("cannot read %s: %s"), dir, strerror(err));
	}
	int fd = 1;
	if (!to_stdout) {
		fd = util_create_temp(out_path, &tmp, NULL);
		if (fd < 0)
			return sb_fail(e, SBE_IO, _("cannot create %s: %s"), out_path,
				       strerror(errno));
	}
	struct archive *a = archive_write_new();
	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	int rc = 0;
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK)
		rc = sb_fail(e, SBE_IO, _("cannot create %s: %s"), to_stdout ? "stdout" : out_path,
			     archive_error_string(a));
	if (rc == 0)
		rc = add_tree(a, dir, prefix, e);
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = sb_fail(e, SBE_IO, _("cannot finish %s: %s"), out_path,
			     archive_error_string(a));
	archive_write_free(a);
	if (tmp) {
		if (rc == 0 && fsync(fd) < 0)
			rc = sb_fail(e, SBE_IO, _("cannot write %s: %s"), tmp, strerror(errno));
		close(fd);
		if (rc == 0 && rename(tmp, out_path) < 0)
			rc = sb_fail(e, SBE_IO, _("cannot create %s: %s"), out_path,
				     strerror(errno));
		if (rc == 0)
			fsync_dir_of(out_path);
		else
			unlink(tmp);
		free(tmp);
	}
	return rc;
}

static int rm_tree(const char *dir)
{
	struct stat top;
	if (lstat(dir, &top) < 0 || !S_ISDIR(top.st_mode))
		return -1; /* a symlink: never delete through it */
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *p = path_join(dir, de->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			rc |= rm_tree(p);
		else if (unlink(p) < 0)
			rc = -1;
		free(p);
	}
	closedir(d);
	return rmdir(dir) < 0 ? -1 : rc;
}

int archive_batch(store *st, const char *batch_id, sb_err *e)
{
	char *dir = store_batch_path(st, batch_id, NULL);
	char *adir = path_join(store_path(st), "archive");
	char *name = xasprintf("%s.tar.gz", batch_id);
	char *out = path_join(adir, name);
	int rc = mkdir_p(adir, 0700, e);
	struct stat sb;
	if (rc == 0 && (lstat(adir, &sb) < 0 || !S_ISDIR(sb.st_mode)))
		rc = sb_fail(e, SBE_IO, _("cannot create %s: %s"), adir,
			     strerror(ELOOP)); /* a symlink */
	if (rc == 0) {
		/* what a crash left: the old fixed-name .part, dead temp files */
		char *part = xasprintf("%s.part", out);
		unlink(part);
		free(part);
		util_remove_dead_temps(adir, "");
		rc = archive_dir(dir, batch_id, out, e);
	}
	/* the registry forgets it first: a crash then leaves a folder, not a dangling entry */
	if (rc == 0)
		rc = store_forget(st, batch_id, e);
	if (rc == 0 && file_exists(dir) && rm_tree(dir) < 0)
		rc = sb_fail(
			e, SBE_IO,
			_("archived %s, but could not remove its folder %s: remove it by hand"),
			batch_id, dir);
	free(dir);
	free(adir);
	free(name);
	free(out);
	return rc;
}

int archive_export(store *st, const char *batch_id, const char *out_path, sb_err *e)
{
	batch_info b;
	if (store_get(st, batch_id, &b) < 0)
		return sb_fail(e, SBE_NOTFOUND,
			       _("no batch %s: see `stockbatch status` for the ids"), batch_id);
	char *dir = store_batch_path(st, batch_id, NULL);
	int rc = archive_dir(dir, batch_id, out_path, e);
	free(dir);
	return rc;
}

const char *archive_library_version(void)
{
	return archive_version_string();
}

/* cmd_admin.c: the housekeeping commands: export (a batch for support),
 * cleanup (old batches, provider files, temporary files) and doctor. */
#include "config.h"

#include <dirent.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "cmd.h"
#include "doctor.h"
#include "i18n.h"
#include "log.h"
#include "provider.h"
#include "report.h"

/* ---- cleanup ----------------------------------------------------------------------- */

static size_t tmp_removed;

static int rm_tmp(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	/* atomic_write's temp files: NAME.tmp.PID, left behind by a crash. */
	if (flag == FTW_F && strstr(path_basename(path), ".tmp.") && unlink(path) == 0)
		tmp_removed++;
	return 0;
}

/* Provider files of committed batches (the engine deletes them after a
 * commit; this catches what a crash or a network error left). */
static void delete_provider_files(cli_ctx *c, size_t *deleted, size_t *failed)
{
	sb_err e;
	sb_err_clear(&e);
	batch_info *bs = NULL;
	size_t nb = store_list(c->st, &bs);
	provider *p = NULL;
	for (size_t i = 0; i < nb && !cli_term_interrupted(); i++) {
		batch_info *b = &bs[i];
		if (b->state != BS_COMPLETED && b->state != BS_CANCELLED &&
		    b->state != BS_EXPIRED && b->state != BS_FAILED)
			continue;
		if (b->counts[FS_BATCH_SENT] || b->counts[FS_BATCH_COMPLETED])
			continue; /* not committed yet */
		if (engine_batch_lost(c->en, b->id)) {
			/* the CSV lost rows of it: its results may be needed again */
			if (!cli_opt.json)
				printf(_("Batch %s kept: the CSV is missing rows it committed (run "
					 "`stockbatch retrieve` to write them again).\n"),
				       b->id);
			continue;
		}
		char *ids[3] = { b->input_file_id, b->output_file_id, b->error_file_id };
		if (!ids[0][0] && !ids[1][0] && !ids[2][0])
			continue;
		if (!p || strcmp(p->ops->name, b->provider)) {
			provider_close(p);
			p = NULL;
			if (provider_open(c->cfg, b->provider, &p, &e) < 0) {
				cli_report_err(&e);
				(*failed)++;
				continue;
			}
		}
		bool all_ok = true;
		for (int k = 0; k < 3; k++) {
			if (!ids[k][0])
				continue;
			if (p->ops->delete_file(p, ids[k], &e) < 0 && e.code != SBE_NOTFOUND) {
				sb_log(LOG_WARN,
				       "cleanup: cannot delete provider file %s of batch %s: %s",
				       ids[k], b->id, e.msg);
				all_ok = false;
				(*failed)++;
				continue;
			}
			(*deleted)++;
			ids[k][0] = '\0';
		}
		if (all_ok && store_update(c->st, b, &e) < 0)
			cli_report_err(&e);
	}
	provider_close(p);
	free(bs);
}

/* Temporary files: the state dir's, and the CSV's own beside it. */
static void remove_temp_files(cli_ctx *c)
{
	nftw(c->cfg->state_dir, rm_tmp, 16, FTW_PHYS);
	/* The CSV's own temp files (mediacsv_commit writes NAME.tmp.PID beside
	 * it); only ours, by name, and only while we hold the library lock. */
	char *csvdir = path_dirname(c->cfg->media_csv);
	DIR *d = csvdir ? opendir(csvdir) : NULL;
	if (d) {
		char *prefix = xasprintf("%s.tmp.", path_basename(c->cfg->media_csv));
		struct dirent *de;
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, prefix, strlen(prefix)))
				continue;
			char *p2 = path_join(csvdir, de->d_name);
			if (unlink(p2) == 0)
				tmp_removed++;
			free(p2);
		}
		free(prefix);
		closedir(d);
	}
	free(csvdir);
}

int cmd_cleanup(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	/* Phase 0 archives the batches completed more than archive_days ago. */
	int code = cli_run_phases(c, PH_RECOVER, 0, false, false);
	if (code == SB_EXIT_INTERRUPTED || code == SB_EXIT_ERROR)
		return code;
	size_t deleted = 0, failed = 0;
	delete_provider_files(c, &deleted, &failed);
	tmp_removed = c->temps_removed;
	remove_temp_files(c);
	if (cli_opt.json) {
		json_object *o = json_object_new_object();
		report_jadd_int(o, "provider_files_deleted", (long long)deleted);
		report_jadd_int(o, "provider_files_failed", (long long)failed);
		report_jadd_int(o, "temp_files_removed", (long long)tmp_removed);
		report_json_print(o, stdout);
	} else {
		printf(_("Cleanup: %zu provider files deleted, %zu temporary files removed.\n"),
		       deleted, tmp_removed);
		if (failed)
			printf(_("%zu provider files could not be deleted (see the log); run cleanup "
				 "again later.\n"),
			       failed);
	}
	if (cli_term_interrupted())
		return SB_EXIT_INTERRUPTED;
	return failed ? SB_EXIT_PARTIAL : code;
}

/* ---- export ------------------------------------------------------------------------ */

int cmd_export(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	const char *id = argv[1];
	batch_info b;
	if (cli_check_batch(c, id, &b) < 0)
		return SB_EXIT_ERROR;
	char *def = xasprintf("stockbatch-%s.tar.gz", id);
	const char *out = cli_opt.output ? cli_opt.output : def;
	sb_err e;
	sb_err_clear(&e);
	int rc = SB_EXIT_OK;
	if (archive_export(c->st, id, out, &e) < 0)
		rc = cli_report_err(&e);
	else if (strcmp(out, "-")) {
		struct stat sb;
		long long size = stat(out, &sb) == 0 ? (long long)sb.st_size : -1;
		if (cli_opt.json) {
			json_object *o = json_object_new_object();
			report_jadd_str(o, "batch", id);
			report_jadd_str(o, "file", out);
			report_jadd_int(o, "bytes", size);
			report_json_print(o, stdout);
		} else
			printf(_("Wrote %s (%lld bytes): the state and results of batch %s, without API "
				 "keys.\n"),
			       out, size, id);
	}
	free(def);
	return rc;
}

/* ---- doctor ------------------------------------------------------------------------ */

int cmd_doctor(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fflush(stdout);
	return doctor_run(c->cfg, stdout, cli_opt.json) == 0 ? SB_EXIT_OK : SB_EXIT_ERROR;
}

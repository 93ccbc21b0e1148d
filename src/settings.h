/* settings.h: the user's configuration (SPEC 9, stockbatch.conf(5)).
 * Load order: built-in defaults, then $XDG_CONFIG_HOME/stockbatch/config
 * (or --config FILE), then command-line options (settings_set()).
 * Unknown keys and bad values are errors naming the file and line. */
#ifndef SB_SETTINGS_H
#define SB_SETTINGS_H

#include "util.h"

#define SB_MAX_AGENCIES 8
#define SB_MAX_ALTS 8
#define SB_MAX_PATHMAPS 8
#define SB_MAX_SETTINGS 64 /* at least the entries of settings_docs */

typedef struct path_map {
	char *from; /* e.g. "J:\\Foto" or "J:/Foto" (separators normalised on match) */
	char *to;   /* e.g. "/srv/photo/Foto" */
} path_map;

typedef struct settings {
	char *provider;                  /* "openai" (default) or "gemini" */
	char *model;                     /* default per provider: gpt-4o-mini / gemini-2.5-flash */
	char *openai_base_url;           /* default https://api.openai.com/v1 */
	char *gemini_base_url;           /* default https://generativelanguage.googleapis.com */
	char *key_file;                  /* optional 0600 file holding the key */
	char *ca_file;                   /* CA certificates (PEM) for HTTPS; NULL = the system's */
	char *media_csv;                 /* path of PhotoMedia.csv (default ./PhotoMedia.csv) */
	char *state_dir;                 /* default: .stockbatch beside the CSV */
	int batch_size;                  /* photos per collecting batch (default 20) */
	int alt_batch_size;              /* alternatives per text-only batch (default 2000) */
	int poll_interval;               /* seconds between polls (default 60) */
	int wait_timeout;                /* retrieve --wait default, seconds (0 = do not wait) */
	int network_timeout;             /* seconds a call may stay silent (default 60) */
	char *agencies[SB_MAX_AGENCIES]; /* enabled: shutterstock, adobestock, dreamstime */
	int nagencies;
	char *alternatives[SB_MAX_ALTS]; /* edit tags without '_': bw, negative, sharpen */
	int nalternatives;
	int jpeg_quality;    /* 1..100, default 90 */
	char *image_detail;  /* "high" (default), "low", "auto" */
	double budget;       /* USD cap per run, 0 = none */
	int title_max;       /* default 70 when adobestock enabled, else 80 */
	int min_description; /* characters, default 50 */
	int rpm, tpm;        /* live-mode limits: requests and tokens per minute */
	int concurrency;     /* live-mode concurrent requests, default 4 */
	bool live;           /* send through the synchronous endpoints (--live); default false */
	int backups;         /* CSV backups kept (default 10) */
	int archive_days;    /* completed batches archived after (default 365) */
	int prices_max_age;  /* days before doctor calls prices.conf old (default 180, 0 = never) */
	path_map maps[SB_MAX_PATHMAPS];
	int nmaps;
	char *preview;           /* "auto", "symbols", "kitty", "sixel", "iterm" */
	char *editorial_country; /* the editorial dialog's first country */
	int editorial_format;    /* the caption prefix's date: MC_ED_ORIGIN (0), MC_ED_SHUTTERSTOCK,
				  * MC_ED_POND5 (photomedia.h) */
	int series_gap;          /* seconds between frames of a series (default 180, 0 = off) */
	int series_distance;     /* hash bits two frames may differ in (default 18) */
	char *locale;            /* "" = from the environment */
	char *data_dir;          /* installed data (prompts, categories, prices) */
	char *config_path;       /* file the settings came from, or NULL */
	/* where settings_docs[i] was set ("FILE:LINE", "command line"); NULL:
	 * the default (settings_origin) */
	char *origin[SB_MAX_SETTINGS];
} settings;

void settings_defaults(settings *s);
void settings_free(settings *s);
/* Path of the default config file (caller frees). */
char *settings_default_path(void);
/* Load a config file over s.  A missing default file is not an error
 * (must_exist false); a missing --config file is. */
int settings_load_file(settings *s, const char *path, bool must_exist, sb_err *e);
/* One key = value, from the file (origin "FILE:LINE") or the command line. */
int settings_set(settings *s, const char *key, const char *value, const char *origin, sb_err *e);
/* Where the setting key got its value: "FILE:LINE", "command line", or
 * NULL for the built-in default (or one derived from another setting). */
const char *settings_origin(const settings *s, const char *key);
/* Settings derived from others (state_dir from media_csv, model from provider...). */
void settings_finish(settings *s);
bool settings_agency_enabled(const settings *s, const char *agency);
/* Map a CSV `Cesta` (maybe a Windows path) to a local path; caller frees. */
char *settings_map_path(const settings *s, const char *cesta);
/* Write every key with its value, as a config file would hold it. */
void settings_dump(const settings *s, FILE *out);

/* Every key, for --help, the man page check and error messages. */
typedef struct setting_doc {
	const char *key;
	const char *def;
	const char *help; /* N_() */
} setting_doc;
extern const setting_doc settings_docs[];
/* The provider used when the settings name none (provider.c's table). */
extern const char provider_default_name[];

/* The data dir: $STOCKBATCH_DATADIR, else the build tree's data/ when run
 * uninstalled, else the compiled-in PKGDATADIR. */
const char *data_dir(void);

#endif

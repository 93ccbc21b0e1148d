/* fuzz_settings: the config file (key = value), loaded through a memfd so
 * the real settings_load_file reads it; then the derived settings and the
 * path mapping of a Windows path. */
#include "fuzz_common.h"
#include "settings.h"
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("config", 0);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	settings s;
	settings_defaults(&s);
	sb_err e = { 0 };
	if (settings_load_file(&s, path, true, &e) < 0) {
		FUZZ_CHECK(e.msg[0]);
		/* errors name the file and the line */
		FUZZ_CHECK(strstr(e.msg, path) || e.code != SBE_INPUT);
	}
	settings_finish(&s);
	FUZZ_CHECK(s.model && s.state_dir && s.title_max > 0);
	char *p = settings_map_path(&s, "J:\\Foto\\2024\\a.jpg");
	FUZZ_CHECK(p);
	free(p);
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		settings_dump(&s, devnull);
		fclose(devnull);
	}
	settings_free(&s);
	close(fd);
	return 0;
}

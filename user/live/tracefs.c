/* tracefs.c - see tracefs.h. */
#include <stdio.h>
#include <sys/mount.h>

#include "live/tracefs.h"
#include "util/fs.h"

#define TRACEFS_DIR	"/sys/kernel/tracing"
#define DEBUGFS_DIR	"/sys/kernel/debug"
#define DEBUGFS_TRACING DEBUGFS_DIR "/tracing"

static int has(const char *dir, const char *need)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, need);
	return fs_exists(p);
}

const char *tracefs_locate(const char *need, enum tracefs_mount may)
{
	if (has(TRACEFS_DIR, need))
		return TRACEFS_DIR;
	if (has(DEBUGFS_TRACING, need))
		return DEBUGFS_TRACING;
	if (may != TRACEFS_MAY_MOUNT || has(TRACEFS_DIR, "events") ||
	    has(DEBUGFS_TRACING, "events"))
		return NULL;
	if (fs_is_dir(TRACEFS_DIR) && mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL) == 0)
		return has(TRACEFS_DIR, need) ? TRACEFS_DIR : NULL;
	if (!fs_exists(DEBUGFS_TRACING) && fs_is_dir(DEBUGFS_DIR) &&
	    mount("debugfs", DEBUGFS_DIR, "debugfs", 0, NULL) == 0 && has(DEBUGFS_TRACING, need))
		return DEBUGFS_TRACING;
	return NULL;
}

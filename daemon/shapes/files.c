/* files.c: many file-backed mappings, as search engines and databases make them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vmastress/shapes/shape.h"
#include "vmastress/calls/mapops.h"
#include "vmastress/calls/state.h"

/*
 * Lucene's mmap directory and databases map many files, whole or in parts;
 * mappings of different files never merge, so every one is a VMA of its own
 * (Elasticsearch's bootstrap check asks for vm.max_map_count 262144). At the
 * limit the mmap of one more file is refused (ENOMEM: "map failed"). The files
 * come from memfd_create (no disk) or files.directory (O_TMPFILE: unlinked from
 * the start), one set per worker, opened on its first step, closed by its teardown.
 */
#define FILES_MAX 64 /* open files per worker */

#define FILES_KEYS(X)                                                                              \
	X(files, directory, STRING, 0, VS_TEXTFILE_MAX, "", VS_KEY_ABSOLUTE, NULL,                 \
	  "files shape: where its files are made (unlinked at once); unset = memfd_create, "       \
	  "no disk")                                                                               \
	X(files, count, UINT, 1, FILES_MAX, 16, 0, NULL,                                           \
	  "files shape: files per worker; mappings never merge across them")                       \
	X(files, file_pages, UINT, 1, VS_PAGES_MAX, 64, 0, NULL,                                   \
	  "files shape: pages per file; a mapping covers all of one or a sub-range")               \
	X(files, shared, UINT, 0, 1, 1, 0, NULL,                                                   \
	  "files shape: 1 = MAP_SHARED read-write, 0 = MAP_PRIVATE read-only")
VS_SHAPE_KEYS_DECLARE(files, FILES_KEYS);

struct files_state {
	int fd[FILES_MAX];
	unsigned n;
};
_Static_assert(sizeof(struct files_state) <= VS_SHAPE_STATE_BYTES, "fits a worker's shape state");

static int open_files(struct vs_worker *w)
{
	const struct vs_keys_files *k = VS_SHAPE_KEYS(w->sh->cfg, files);
	struct files_state *st = VS_SHAPE_STATE(w, struct files_state);
	off_t size = (off_t)k->file_pages * (off_t)w->sh->page;

	while (st->n < k->count) {
		int fd = k->directory[0] ? open(k->directory, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)
					 : memfd_create("vmastress-file", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (ftruncate(fd, size) < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		st->fd[st->n++] = fd;
	}
	return 0;
}

static void close_files(struct vs_worker *w)
{
	struct files_state *st = VS_SHAPE_STATE(w, struct files_state);

	for (unsigned i = 0; i < st->n; i++)
		close(st->fd[i]);
	st->n = 0;
}

/* A whole file or a sub-range of one, at any offset (building: the largest,
 * from the start). */
static int map_one(struct vs_worker *w, bool building)
{
	const struct vs_config *cfg = w->sh->cfg;
	const struct vs_keys_files *k = VS_SHAPE_KEYS(cfg, files);
	unsigned max =
	    cfg->mapping_max_pages < k->file_pages ? cfg->mapping_max_pages : k->file_pages;
	unsigned min = cfg->mapping_min_pages < max ? cfg->mapping_min_pages : max;
	int r = open_files(w);

	if (r < 0)
		return r;
	unsigned pages = building ? max : (unsigned)vs_rng_range(&w->rng, min, max);
	size_t off = building ? 0 : vs_rng_range(&w->rng, 0, k->file_pages - pages);
	const struct files_state *st = VS_SHAPE_STATE(w, struct files_state);
	int fd = st->fd[vs_rng_range(&w->rng, 0, st->n - 1)];
	/* Pages [off, off + pages) of the file: shared read-write, or private
	 * read-only; never placed next to another file's. */
	const struct vs_mapping m = {.prot = k->shared ? PROT_READ | PROT_WRITE : PROT_READ,
				     .flags = (k->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_NORESERVE,
				     .fd = fd,
				     .offset = (off_t)(off * w->sh->page),
				     .state = k->shared ? VS_PAGE_FILE_RW : VS_PAGE_FILE_RO,
				     .avoid = VS_NOT_NEXT_TO_FILE};
	return vs_mapops_map(w, pages, 0, &m);
}

/* The build, with the cheapest VMA-adding call: every other page of the newest
 * shared mapping flipped read-only, 2 VMAs each; the next file mapped when it
 * has none left. Private mappings are read-only throughout: 1 VMA a mapping. */
static int build(struct vs_worker *w)
{
	size_t i = w->table.nlive - 1, off;
	const struct vs_region *r = w->table.nlive ? vs_region_live(&w->table, i) : NULL;

	if (!VS_SHAPE_KEYS(w->sh->cfg, files)->shared || !r ||
	    vs_mapops_build_next(w, 1, 2, r->data_pages - 1, &off) < 0)
		return map_one(w, true);
	return vs_mapops_protect(w, i, off, 1, VS_PAGE_FILE_RO);
}

static int map_file(struct vs_worker *w)
{
	return atomic_load_explicit(&w->sh->building, memory_order_relaxed) ? build(w)
									    : map_one(w, false);
}

/* Flip a range of a shared mapping read-only and back (indexes being written
 * do); a private one stays read-only. */
static int reprotect(struct vs_worker *w, size_t i, bool building)
{
	struct vs_region *reg = vs_region_live(&w->table, i);
	size_t off = vs_rng_range(&w->rng, 0, reg->data_pages - 1);
	size_t len = vs_rng_range(&w->rng, 1, reg->data_pages - off);
	unsigned now = vs_arena_state(&w->arena, reg->first + off);

	if (building)
		return build(w);
	if (!VS_SHAPE_KEYS(w->sh->cfg, files)->shared)
		return -ENOENT;
	return vs_mapops_protect(w, i, off, len,
				 now == VS_PAGE_FILE_RW ? VS_PAGE_FILE_RO : VS_PAGE_FILE_RW);
}

/* The directory takes files, whichever the shape (a file set for later). */
static int validate(const struct vs_config *cfg, bool active, char *err, size_t errlen)
{
	const struct vs_keys_files *k = VS_SHAPE_KEYS(cfg, files);

	(void)active;
	if (k->directory[0] && access(k->directory, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "%s: cannot make files in %s: %s", vs_key_rows_files[0].path,
			 k->directory, strerrorname_np(errno));
		return -EINVAL;
	}
	return 0;
}

const struct vs_shape vs_shape_files = {
    .name = "files",
    .models = "search engines and databases: many file-backed mmaps (Lucene's mmap directory)",
    .signature = "a VMA per mapping, never merged across files; at the limit the mmap of one "
		 "more fails with ENOMEM",
    VS_PRESETS(VS_SET(mapping_min_pages, 1), VS_SET(mapping_max_pages, 64),
	       VS_SET(mapping_separator_pages, 0), VS_SET(ops_mmap, 50), VS_SET(ops_mprotect, 10),
	       VS_SET(ops_munmap, 40), VS_SET(ops_punch, 0), VS_SET(pressure_target_fill, 0.9)),
    .call = {"map file", "re-protect", "unmap file"},
    .map = map_file,
    .protect = reprotect,
    .teardown = close_files,
    VS_SHAPE_KEY_ROWS(files),
    .validate = validate,
    /* Most of its mappings name a file. */
    .look = {.files = 0.5},
};

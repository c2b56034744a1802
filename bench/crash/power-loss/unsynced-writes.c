/*
 * An LD_PRELOAD shim that makes a power loss testable with kill -9.
 *
 * A SIGKILL loses nothing the process wrote: the kernel's page cache keeps
 * it. A power loss loses what was written and not yet synced. This shim
 * records, for every write to one file (POWER_LOSS_FILE) that is not yet on
 * disk, the bytes it overwrote, in an undo log (POWER_LOSS_UNDO), before the
 * write is made. A sync of the file (fsync, fdatasync) moves the log's
 * watermark past every write that had completed when the sync began. A
 * write through a descriptor opened O_DSYNC or O_SYNC is on disk when it
 * returns: while unsynced writes are logged, its new bytes are logged too,
 * to be written again once they are undone (it may overlap one of them).
 * After the kill, undoing the records past the watermark, newest first, then
 * redoing the O_DSYNC ones, oldest first (power-loss.ts), leaves the file as
 * a power loss at that instant would have: only what was synced.
 *
 * POWER_LOSS_KILL_AT_SYNC=n SIGKILLs the process inside its n-th sync of the
 * file, before the sync reaches the disk: the power cut lands while writes
 * wait to be made durable.
 *
 * POWER_LOSS_SYNC_DELAY_US makes every sync of the file that much slower, as
 * a real disk's is: a fast virtual disk would leave the windows in which
 * written data is not yet durable too short for a kill to land in.
 *
 * Log layout: an 8-byte watermark (little-endian offset of the first record
 * not yet synced), then records: kind (0 undo: the bytes overwritten; 1 redo:
 * the bytes of an O_DSYNC write), offset, saved length, file size before the
 * write (four u64), and the saved bytes.
 *
 * Build: gcc -shared -fPIC -O2 -o unsynced-writes.so unsynced-writes.c -ldl -lpthread
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS 65536
#define HEADER 8

/* What each descriptor is: 0 not the file, 1 the file, 2 the file opened O_DSYNC/O_SYNC. */
static unsigned char kinds[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int undo_fd = -1;
static off_t undo_end = HEADER;
/* Offset of the first record not yet synced, and the log's generation (see synced). */
static uint64_t watermark = HEADER;
static uint64_t generation = 0;

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static void resolve(void) {
  if (real_pwrite) return;
  real_open = dlsym(RTLD_NEXT, "open");
  real_openat = dlsym(RTLD_NEXT, "openat");
  real_close = dlsym(RTLD_NEXT, "close");
  real_pwritev = dlsym(RTLD_NEXT, "pwritev");
  real_write = dlsym(RTLD_NEXT, "write");
  real_writev = dlsym(RTLD_NEXT, "writev");
  real_fsync = dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
  real_pwrite = dlsym(RTLD_NEXT, "pwrite");
}

static int is_target(const char *path) {
  const char *target = getenv("POWER_LOSS_FILE");
  return path && target && strcmp(path, target) == 0;
}

/* The undo log, opened on first use; a watermark of HEADER: nothing synced past the start. */
static int undo_log(void) {
  if (undo_fd >= 0) return undo_fd;
  const char *path = getenv("POWER_LOSS_UNDO");
  if (!path) return -1;
  undo_fd = real_open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  uint64_t watermark = HEADER;
  if (undo_fd >= 0) real_pwrite(undo_fd, &watermark, sizeof watermark, 0);
  return undo_fd;
}

static void track(int fd, int flags) {
  if (fd >= 0 && fd < MAX_FDS) kinds[fd] = (flags & (O_DSYNC | O_SYNC)) ? 2 : 1;
}

/* Save what [offset, offset + length) holds now, before a write replaces it. Called with the lock held. */
static void save(int fd, off_t offset, size_t length) {
  int log = undo_log();
  struct stat st;
  if (log < 0 || fstat(fd, &st) != 0) return;
  uint64_t size = (uint64_t)st.st_size;
  uint64_t saved = offset >= st.st_size ? 0 : (uint64_t)(st.st_size - offset < (off_t)length ? st.st_size - offset : (off_t)length);
  uint64_t header[4] = {0, (uint64_t)offset, saved, size};
  char *old = saved ? malloc(saved) : NULL;
  if (saved && (!old || pread(fd, old, saved, offset) != (ssize_t)saved)) {
    free(old);
    abort(); /* an unrecorded write would make the simulation lie */
  }
  real_pwrite(log, header, sizeof header, undo_end);
  if (saved) real_pwrite(log, old, saved, undo_end + sizeof header);
  undo_end += sizeof header + saved;
  free(old);
}

/* An O_DSYNC write while unsynced ones are logged: its bytes, to redo after the undo. Called with the lock held. */
static void save_durable(int fd, off_t offset, const void *buffer, size_t length) {
  int log = undo_log();
  struct stat st;
  if (log < 0 || (uint64_t)undo_end <= watermark || fstat(fd, &st) != 0) return;
  uint64_t header[4] = {1, (uint64_t)offset, (uint64_t)length, (uint64_t)st.st_size};
  real_pwrite(log, header, sizeof header, undo_end);
  real_pwrite(log, buffer, length, undo_end + sizeof header);
  undo_end += sizeof header + length;
}

static size_t total(const struct iovec *iov, int count) {
  size_t sum = 0;
  for (int i = 0; i < count; i++) sum += iov[i].iov_len;
  return sum;
}

static int recorded(int fd) {
  return fd >= 0 && fd < MAX_FDS && kinds[fd] == 1;
}

static int durable(int fd) {
  return fd >= 0 && fd < MAX_FDS && kinds[fd] == 2;
}

int open(const char *path, int flags, ...) {
  resolve();
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list args;
    va_start(args, flags);
    mode = va_arg(args, mode_t);
    va_end(args);
  }
  int fd = real_open(path, flags, mode);
  if (is_target(path)) track(fd, flags);
  return fd;
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dir, const char *path, int flags, ...) {
  resolve();
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list args;
    va_start(args, flags);
    mode = va_arg(args, mode_t);
    va_end(args);
  }
  int fd = real_openat(dir, path, flags, mode);
  if (is_target(path)) track(fd, flags);
  return fd;
}
int openat64(int dir, const char *path, int flags, ...) __attribute__((alias("openat")));

int close(int fd) {
  resolve();
  if (fd >= 0 && fd < MAX_FDS) kinds[fd] = 0;
  return real_close(fd);
}

ssize_t pwrite(int fd, const void *buffer, size_t length, off_t offset) {
  resolve();
  if (durable(fd)) {
    pthread_mutex_lock(&lock);
    ssize_t written = real_pwrite(fd, buffer, length, offset);
    if (written > 0) save_durable(fd, offset, buffer, (size_t)written);
    pthread_mutex_unlock(&lock);
    return written;
  }
  if (!recorded(fd)) return real_pwrite(fd, buffer, length, offset);
  pthread_mutex_lock(&lock);
  save(fd, offset, length);
  ssize_t written = real_pwrite(fd, buffer, length, offset);
  pthread_mutex_unlock(&lock);
  return written;
}
ssize_t pwrite64(int fd, const void *buffer, size_t length, off_t offset) __attribute__((alias("pwrite")));

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t offset) {
  resolve();
  if (!recorded(fd)) return real_pwritev(fd, iov, count, offset);
  pthread_mutex_lock(&lock);
  save(fd, offset, total(iov, count));
  ssize_t written = real_pwritev(fd, iov, count, offset);
  pthread_mutex_unlock(&lock);
  return written;
}
ssize_t pwritev64(int fd, const struct iovec *iov, int count, off_t offset) __attribute__((alias("pwritev")));

ssize_t write(int fd, const void *buffer, size_t length) {
  resolve();
  if (!recorded(fd)) return real_write(fd, buffer, length);
  pthread_mutex_lock(&lock);
  save(fd, lseek(fd, 0, SEEK_CUR), length);
  ssize_t written = real_write(fd, buffer, length);
  pthread_mutex_unlock(&lock);
  return written;
}

ssize_t writev(int fd, const struct iovec *iov, int count) {
  resolve();
  if (!recorded(fd)) return real_writev(fd, iov, count);
  pthread_mutex_lock(&lock);
  save(fd, lseek(fd, 0, SEEK_CUR), total(iov, count));
  ssize_t written = real_writev(fd, iov, count);
  pthread_mutex_unlock(&lock);
  return written;
}

/*
 * A sync covers every write completed before it began (writes hold the lock
 * while they write): the watermark moves past them, only forward. When
 * nothing was written meanwhile, the log starts afresh (a new generation, so
 * a slower sync begun before it moves nothing).
 */
static int synced(int fd, int (*sync)(int)) {
  if (fd < 0 || fd >= MAX_FDS || kinds[fd] == 0) return sync(fd);
  pthread_mutex_lock(&lock);
  uint64_t began_in = generation;
  off_t covered = undo_end;
  pthread_mutex_unlock(&lock);
  static int syncs = 0;
  const char *kill_at = getenv("POWER_LOSS_KILL_AT_SYNC");
  if (kill_at && __atomic_add_fetch(&syncs, 1, __ATOMIC_SEQ_CST) == atoi(kill_at)) kill(getpid(), SIGKILL);
  const char *delay = getenv("POWER_LOSS_SYNC_DELAY_US");
  if (delay) usleep((useconds_t)atoi(delay));
  int result = sync(fd);
  if (result != 0) return result;
  pthread_mutex_lock(&lock);
  int log = undo_log();
  if (log >= 0 && began_in == generation) {
    if (covered == undo_end) {
      if (ftruncate(log, HEADER) != 0) abort();
      undo_end = HEADER;
      watermark = HEADER;
      generation++;
    } else if ((uint64_t)covered > watermark) {
      watermark = (uint64_t)covered;
    }
    real_pwrite(log, &watermark, sizeof watermark, 0);
  }
  pthread_mutex_unlock(&lock);
  return result;
}

int fsync(int fd) {
  resolve();
  return synced(fd, real_fsync);
}

int fdatasync(int fd) {
  resolve();
  return synced(fd, real_fdatasync);
}

/*
 * LD_PRELOAD for the targets test: logs to $ENVGUARD_LOG every change a
 * process makes to its own environment (setenv, unsetenv, putenv, clearenv)
 * with the number of threads it runs then, and every execvpe() with the
 * connection variables the child is given. Only tierdump's own binaries
 * (backup, recover) are logged, not the tools they start.
 *
 *   cc -shared -fPIC -o envguard.so test/envguard.c -ldl
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const watched[] = {"PGHOST",	    "PGPORT",	  "PGUSER",
				      "PGPASSFILE", "PGPASSWORD", "PGADMINPASS",
				      "MYSQL_PWD",  "MYSQL_HOST", NULL};

static int ours(void)
{
	return strcmp(program_invocation_short_name, "backup") == 0 ||
	       strcmp(program_invocation_short_name, "recover") == 0;
}

static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* One line, written at once; no stdio, so that it is safe in a forked child. */
static void note(const char *line)
{
	const char *path = getenv("ENVGUARD_LOG");
	int fd, saved = errno;

	if (path == NULL || !ours())
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t rc = write(fd, line, strlen(line));

		(void)rc;
		close(fd);
	}
	errno = saved;
}

static void note_change(const char *what, const char *name)
{
	char line[512];

	snprintf(line, sizeof(line), "%s %d change %s %.*s threads=%d\n",
		 program_invocation_short_name, (int)getpid(), what, (int)strcspn(name, "="), name,
		 threads());
	note(line);
}

int setenv(const char *name, const char *value, int overwrite)
{
	int (*real)(const char *, const char *, int) = dlsym(RTLD_NEXT, "setenv");

	note_change("setenv", name);
	return real(name, value, overwrite);
}

int unsetenv(const char *name)
{
	int (*real)(const char *) = dlsym(RTLD_NEXT, "unsetenv");

	note_change("unsetenv", name);
	return real(name);
}

int putenv(char *string)
{
	int (*real)(char *) = dlsym(RTLD_NEXT, "putenv");

	note_change("putenv", string);
	return real(string);
}

int clearenv(void)
{
	int (*real)(void) = dlsym(RTLD_NEXT, "clearenv");

	note_change("clearenv", "all");
	return real();
}

/* The line for an exec of file with envp: the watched variables it gets ("-" when unset). */
static void note_exec(const char *file, char *const envp[])
{
	char line[4096];
	size_t used;

	used = (size_t)snprintf(line, sizeof(line), "%s %d exec %s", program_invocation_short_name,
				(int)getppid(), file);
	for (size_t i = 0; watched[i] != NULL && used < sizeof(line); i++) {
		size_t len = strlen(watched[i]);
		const char *value = "-";

		for (size_t j = 0; envp[j] != NULL; j++)
			if (strncmp(envp[j], watched[i], len) == 0 && envp[j][len] == '=')
				value = envp[j] + len + 1;
		used +=
		    (size_t)snprintf(line + used, sizeof(line) - used, " %s=%s", watched[i], value);
	}
	if (used < sizeof(line) - 1) {
		line[used++] = '\n';
		line[used] = '\0';
		note(line);
	}
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	int (*real)(const char *, char *const[], char *const[]) = dlsym(RTLD_NEXT, "execvpe");

	note_exec(file, envp);
	return real(file, argv, envp);
}

int execvp(const char *file, char *const argv[])
{
	int (*real)(const char *, char *const[]) = dlsym(RTLD_NEXT, "execvp");

	note_exec(file, environ);
	return real(file, argv);
}

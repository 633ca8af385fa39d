/* The MariaDB restore filter: the mysql schema, one database, renamed. */
#include <string.h>

#include "engine/mariadb/filter.h"
#include "util/log.h"

#include "test.h"

static const char dump[] = "/*!40101 SET NAMES utf8mb4 */;\n"
			   "--\n-- Current Database: `app`\n--\n\n"
			   "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `app` /*!40100 DEFAULT "
			   "CHARACTER SET utf8mb4 */;\n\n"
			   "USE `app`;\n"
			   "CREATE TABLE `t` (`v` text);\n"
			   "INSERT INTO `t` VALUES ('USE `app`;');\n"
			   "/*!50003 ALTER DATABASE `app` CHARACTER SET latin1 */ ;;\n"
			   "--\n-- Current Database: `mysql`\n--\n\n"
			   "USE `mysql`;\n"
			   "CREATE TABLE `user` (`v` text);\n"
			   "--\n-- Current Database: `we``ird`\n--\n\n"
			   "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `we``ird`;\n"
			   "USE `we``ird`;\n"
			   "CREATE TABLE `w` (`v` text);\n";

static char *run(size_t step, int mysql_schema, const char *only, const char *rename)
{
	static char out[4096];
	struct source *s;
	size_t len = 0;
	ssize_t n = 0;

	fail_clear();
	s = my_filter_source(bytes_source(dump, strlen(dump), step), mysql_schema, only, rename);
	while (s != NULL && (n = source_read(s, out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	source_close(s);
	out[len] = '\0';
	return s != NULL && n == 0 ? out : NULL;
}

static const char *shown(const char *out)
{
	return out != NULL ? out : "(the read failed)";
}

static int has(const char *out, const char *text)
{
	return out != NULL && strstr(out, text) != NULL;
}

void test_engine_mariadb_filter(void)
{
	char *out = run(3, 0, NULL, NULL);

	CHECK(has(out, "CREATE TABLE `t`") && has(out, "CREATE TABLE `w`") &&
		  !has(out, "CREATE TABLE `user`"),
	      "every database but the mysql schema: %s", shown(out));
	out = run(4096, 1, NULL, NULL);
	CHECK(out != NULL && strcmp(out, dump) == 0, "RECOVER_MYSQL_SCHEMA keeps it all");

	out = run(1, 0, "app", "app copy");
	CHECK(has(out, "/*!40101 SET NAMES utf8mb4 */;\n"), "the head's settings pass");
	CHECK(has(out, "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `app copy` /*!40100"),
	      "CREATE DATABASE under the new name: %s", shown(out));
	CHECK(has(out, "\nUSE `app copy`;\n"), "USE the new name: %s", shown(out));
	CHECK(has(out, "INSERT INTO `t` VALUES ('USE `app`;');\n"), "data is untouched: %s",
	      shown(out));
	CHECK(has(out, "ALTER DATABASE `app copy` CHARACTER SET latin1"), "ALTER DATABASE: %s",
	      shown(out));
	CHECK(!has(out, "`user`") && !has(out, "`w`"), "the others are left out: %s", shown(out));

	out = run(2, 0, "we`ird", "plain");
	CHECK(has(out, "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `plain`;\nUSE `plain`;\n") &&
		  !has(out, "CREATE TABLE `t`"),
	      "a backquoted name is matched and renamed: %s", shown(out));
	out = run(4096, 0, "mysql", NULL);
	CHECK(has(out, "CREATE TABLE `user`") && !has(out, "CREATE TABLE `t`"),
	      "the mysql schema alone when asked for by name: %s", shown(out));

	CHECK(run(5, 0, "nope", NULL) == NULL, "a database the dump lacks fails");
	CHECK(fail_code() == EXIT_NOT_FOUND &&
		  strstr(fail_reason(), "holds no database nope; it holds: app, mysql, we`ird"),
	      "naming what it holds: %s", fail_reason());
	fail_clear();
}

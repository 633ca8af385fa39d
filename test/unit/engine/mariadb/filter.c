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

static const char *run(size_t step, int mysql_schema, const char *only, const char *rename)
{
	fail_clear();
	return read_text(
	    my_filter_source(bytes_source(dump, strlen(dump), step), mysql_schema, only, rename));
}

void test_engine_mariadb_filter(void)
{
	const char *out = run(3, 0, NULL, NULL);

	CHECK(text_has(out, "CREATE TABLE `t`") && text_has(out, "CREATE TABLE `w`") &&
		  !text_has(out, "CREATE TABLE `user`"),
	      "every database but the mysql schema: %s", text_shown(out));
	out = run(4096, 1, NULL, NULL);
	CHECK(out != NULL && strcmp(out, dump) == 0, "RECOVER_MYSQL_SCHEMA keeps it all");

	out = run(1, 0, "app", "app copy");
	CHECK(text_has(out, "/*!40101 SET NAMES utf8mb4 */;\n"), "the head's settings pass");
	CHECK(text_has(out, "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `app copy` /*!40100"),
	      "CREATE DATABASE under the new name: %s", text_shown(out));
	CHECK(text_has(out, "\nUSE `app copy`;\n"), "USE the new name: %s", text_shown(out));
	CHECK(text_has(out, "INSERT INTO `t` VALUES ('USE `app`;');\n"), "data is untouched: %s",
	      text_shown(out));
	CHECK(text_has(out, "ALTER DATABASE `app copy` CHARACTER SET latin1"), "ALTER DATABASE: %s",
	      text_shown(out));
	CHECK(!text_has(out, "`user`") && !text_has(out, "`w`"), "the others are left out: %s",
	      text_shown(out));

	out = run(2, 0, "we`ird", "plain");
	CHECK(text_has(out, "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `plain`;\nUSE `plain`;\n") &&
		  !text_has(out, "CREATE TABLE `t`"),
	      "a backquoted name is matched and renamed: %s", text_shown(out));
	out = run(4096, 0, "mysql", NULL);
	CHECK(text_has(out, "CREATE TABLE `user`") && !text_has(out, "CREATE TABLE `t`"),
	      "the mysql schema alone when asked for by name: %s", text_shown(out));

	CHECK(run(5, 0, "nope", NULL) == NULL, "a database the dump lacks fails");
	CHECK(fail_code() == EXIT_NOT_FOUND &&
		  strstr(fail_reason(), "holds no database nope; it holds: app, mysql, we`ird"),
	      "naming what it holds: %s", fail_reason());
	fail_clear();
}

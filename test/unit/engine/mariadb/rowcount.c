#include <stdlib.h>
#include <string.h>

#include "engine/mariadb/rowcount.h"

#include "test.h"

static const char my_script[] =
    "-- MariaDB dump\n"
    "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `mysql`;\nUSE `mysql`;\n"
    "LOCK TABLES `db` WRITE;\nINSERT INTO `db` VALUES ('%','x'),('%','y');\nUNLOCK TABLES;\n"
    "USE `shop`;\n"
    "LOCK TABLES `items` WRITE;\n"
    "/*!40000 ALTER TABLE `items` DISABLE KEYS */;\n"
    "INSERT INTO `items` VALUES (1,'a(b'),(2,'c\\'),(d'),(3,'e\\\\'),(4,'');\n"
    "INSERT INTO `items` VALUES\n(5,'x\\ny),(z'),\n(6,NULL);\n"
    "/*!40000 ALTER TABLE `items` ENABLE KEYS */;\n"
    "UNLOCK TABLES;\n"
    "LOCK TABLES `we(ir'd``name` WRITE;\n"
    "INSERT INTO `we(ir'd``name` VALUES (1,'\"(\";',_binary '()'),(2,'it''s (',0x2829);\n"
    "UNLOCK TABLES;\n"
    "LOCK TABLES `empty_one` WRITE;\nUNLOCK TABLES;\n"
    "DELIMITER ;;\nCREATE PROCEDURE p() INSERT INTO `x` VALUES (1),(2) ;;\nDELIMITER ;\n";

static void test_my_counter(void)
{
	for (size_t step = 1; step <= 64; step = step * 2 + 1) {
		struct rowcounts rc = {0};

		count_rows(my_rowcount_sink, my_script, step, &rc);
		CHECK(rc.n == 3, "step %zu: %zu tables", step, rc.n);
		CHECK(rows_of(&rc, "shop", "items") == 6, "step %zu: %ld", step,
		      rows_of(&rc, "shop", "items"));
		CHECK(rows_of(&rc, "shop", "we(ir'd`name") == 2, "step %zu", step);
		CHECK(rows_of(&rc, "shop", "empty_one") == 0, "step %zu", step);
		CHECK(rows_of(&rc, "mysql", "db") == -1, "the mysql schema is not counted");
		rowcounts_free(&rc);
	}
}

void test_engine_mariadb_rowcount(void)
{
	test_my_counter();
}

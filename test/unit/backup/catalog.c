#include "test.h"

void test_backup_catalog(void)
{
}

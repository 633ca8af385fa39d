#include "test.h"

void test_backup_keys(void)
{
}

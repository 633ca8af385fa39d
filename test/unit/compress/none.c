#include "test.h"

void test_compress_none(void)
{
}

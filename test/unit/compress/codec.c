#include "test.h"

void test_compress_codec(void)
{
}

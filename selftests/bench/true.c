// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest program there is, for pidbench's vfork+execve: no libc,
 * exit(0) straight from _start.  Build with -nostdlib -static.
 */
void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}

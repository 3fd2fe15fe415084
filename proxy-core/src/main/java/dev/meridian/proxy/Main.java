package dev.meridian.proxy; public final class Main { private Main() {} public static void main(String[] a) {} }

"""The tests of snapback: python3 tools/run_tests.py build/tests.xml"""

import subprocess
import sys


def test_the_engine_never_imports_streamlit():
    code = ("import sys, pkgutil, importlib, binclf_core\n"
            "for m in pkgutil.iter_modules(binclf_core.__path__):\n"
            "    if m.name != '__main__': importlib.import_module('binclf_core.' + m.name)\n"
            "print('streamlit' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"

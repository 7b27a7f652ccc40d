#!/usr/bin/python3
"""Runs one command and records its wall time and peak RSS (for the side-by-side benchmark).

    measure.py --json OUT.json [--stdout FILE] -- COMMAND ARGS...

Writes {"command": [...], "exit_code": N, "wall_seconds": S, "peak_rss_bytes": B,
"user_seconds": U, "system_seconds": Y}. The peak RSS is the child's own ru_maxrss from wait4(2),
so it needs no /usr/bin/time. The command's stderr passes through; its stdout goes to --stdout
(or passes through). Exits with the command's exit code.
"""
import json
import os
import sys
import time


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit("usage: measure.py --json OUT [--stdout FILE] -- COMMAND ...")
    sep = args.index("--")
    opts, command = args[:sep], args[sep + 1:]
    json_path = stdout_path = None
    i = 0
    while i < len(opts):
        if opts[i] == "--json":
            json_path = opts[i + 1]
        elif opts[i] == "--stdout":
            stdout_path = opts[i + 1]
        else:
            sys.exit(f"measure.py: unknown option {opts[i]}")
        i += 2
    if not command or not json_path:
        sys.exit("measure.py: --json and a command are required")
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        if stdout_path:
            fd = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.close(fd)
        try:
            os.execvp(command[0], command)
        except OSError as e:
            print(f"measure.py: cannot run {command[0]}: {e}", file=sys.stderr)
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump({"command": command, "exit_code": code, "wall_seconds": wall,
                   "peak_rss_bytes": usage.ru_maxrss * 1024, "user_seconds": usage.ru_utime,
                   "system_seconds": usage.ru_stime}, f, indent=1)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes v2g(1), a roff man page, from the command tree `v2g --experimental-dump-help` prints (ArgumentParser's
own description of every command, option and help text), so the page says what --help says.

    v2g --experimental-dump-help | python3 tools/manpage.py > v2g.1
"""
import datetime
import json
import sys


def roff(text):
    """Text with roff's special characters escaped; a line starting with . or ' would be a request."""
    out = (text or "").replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + l) if l.startswith((".", "'")) else l for l in out.split("\n"))


def flag_names(arg):
    names = []
    for n in arg.get("names", []):
        names.append(("--" if n["kind"] == "long" else "-") + n["name"])
    return ", ".join(names)


def synopsis(cmd, path):
    parts = [" ".join(path)]
    for a in cmd.get("arguments", []):
        if not a.get("shouldDisplay", True) or a.get("valueName") in ("help", "version"):
            continue
        if a["kind"] == "positional":
            s = "<" + a.get("valueName", "value") + ">"
        elif a["kind"] == "flag":
            s = "--" + a["preferredName"]["name"] if a.get("preferredName") else flag_names(a)
        else:
            s = ("--" + a["preferredName"]["name"] if a.get("preferredName") else flag_names(a)) + " <" + a.get("valueName", "value") + ">"
        if a.get("isOptional"):
            s = "[" + s + "]"
        parts.append(s)
    return " ".join(parts)


def section(cmd, path, out):
    out.append(".SS " + roff(" ".join(path)))
    out.append(".B " + roff(synopsis(cmd, path)))
    out.append(".PP")
    out.append(roff(cmd.get("abstract", "")))
    if cmd.get("discussion"):
        out.append(".PP")
        out.append(roff(cmd["discussion"]))
    for a in cmd.get("arguments", []):
        if not a.get("shouldDisplay", True) or a.get("valueName") in ("help", "version"):
            continue
        label = "<" + a.get("valueName", "value") + ">" if a["kind"] == "positional" else flag_names(a)
        if a["kind"] == "option":
            label += " <" + a.get("valueName", "value") + ">"
        out.append(".TP")
        out.append(".B " + roff(label))
        text = a.get("abstract", "")
        if a.get("defaultValue") is not None:
            text += " (default: " + str(a["defaultValue"]) + ")"
        if a.get("allValues"):
            text += " Values: " + ", ".join(a["allValues"]) + "."
        out.append(roff(text))
    for sub in cmd.get("subcommands", []):
        if sub["commandName"] != "help" and sub.get("shouldDisplay", True):
            section(sub, path + [sub["commandName"]], out)


def main():
    tree = json.load(sys.stdin)["command"]
    name = tree["commandName"]
    date = datetime.date.today().strftime("%B %Y") if "--dated" in sys.argv else ""
    out = [
        '.TH %s 1 "%s" "V2GKit" "User Commands"' % (name.upper(), date),
        ".SH NAME",
        roff(name) + " \\- " + roff(tree.get("abstract", "")),
        ".SH SYNOPSIS",
        ".B " + roff(name) + "\n.I subcommand\n[options]",
        ".SH DESCRIPTION",
        roff(tree.get("discussion", tree.get("abstract", ""))),
        ".SH COMMANDS",
    ]
    for sub in tree.get("subcommands", []):
        if sub["commandName"] != "help" and sub.get("shouldDisplay", True):
            section(sub, [name, sub["commandName"]], out)
    out += [
        ".SH EXIT STATUS",
        "0 on success; 2 when an argument, a file or a config is at fault (one line on standard error names it); "
        "1 when a run fails.",
        ".SH FILES",
        ".TP\n.I /etc/v2g/NAME.toml\nA node's config, for the v2g\\-node@NAME systemd unit.",
        ".TP\n.I /var/lib/v2g/NAME\nIts data directory (the ledger store and the round log).",
        ".SH SEE ALSO",
        "The V2GKit documentation: docs/network.md (running a node), docs/operations.md (installing it as a service).",
    ]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()

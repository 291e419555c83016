"""OpenGL/Level in the client's user.ini: the plan's fix for "ExamClient 已停止工作", the
``_o__configure_narrow_argv`` entry-point error and the white screen is Level = 0.

Not having it is a warning, not a failure: the client runs without it on most PCs, and the plan
applies it when these faults appear. The white-screen remedy also names D3DCompiler_47.dll
(misspelt "D3DComplier" in the plan), so the result says whether it sits beside the client.
"""

from __future__ import annotations

from readiness.api import FactUnavailable, Facts, Finding, NotCollected, Profile, Status, Text, check, rules, same


def remedy(ini: str, level: str) -> Text:
    return Text(f"If the client crashes (\"ExamClient has stopped working\"), reports the "
                f"_o__configure_narrow_argv error or shows a white screen: set Level={level} under "
                f"[OpenGL] in {ini} (or run `readiness fix`).",
                f"如客户端出现“ExamClient 已停止工作”、_o__configure_narrow_argv 报错或白屏："
                f"将 {ini} 中 [OpenGL] 下的 Level 改为 {level}（或运行 `readiness fix`）。")


@check("opengl-level", title=Text("OpenGL/Level in user.ini", "user.ini 的 OpenGL/Level"), order=60, since="0.1.0")  # client.opengl_level: core
def check_opengl_level(facts: Facts, profile: Profile) -> Finding:
    want = profile["client.opengl_level"]
    expected = Text(f"[OpenGL] Level={want}", f"[OpenGL] Level={want}")
    if facts.get("client.install_dir", str) is None:
        if facts.data.get("client") is None:
            raise FactUnavailable("client", facts.reason("client"))
        raise NotCollected("client", Text("the exam client is not installed", "未安装考试客户端"))
    ini = facts.require("client.user_ini", dict)
    path = facts.get("client.user_ini.path", str) or "user.ini"
    error = facts.get("client.user_ini.error", str)
    if error:
        why = facts.text("client.user_ini.reason") or same(error)  # older snapshots: the raw text
        raise FactUnavailable("client.user_ini", Text(f"{path}: ", f"{path}：") + why)
    d3d = facts.get("client.d3dcompiler_47", bool)
    d3d_note = {True: Text("; D3DCompiler_47.dll is beside the client", "；客户端目录中有 D3DCompiler_47.dll"),
                False: Text("; no D3DCompiler_47.dll beside the client", "；客户端目录中没有 D3DCompiler_47.dll"),
                None: Text("", "")}[d3d]
    details = {"d3dcompiler_47": d3d, "user_ini": path}
    if not ini.get("found"):
        return Finding(Status.WARN, Text("no user.ini", "没有 user.ini") + d3d_note, expected,
                       Text(f"{path} does not exist, so OpenGL/Level is not set.",
                            f"{path} 不存在，未设置 OpenGL/Level。"), remedy(path, want), details)
    store_level = facts.get("client.user_ini_virtual_store.opengl_level", str)
    store_path = facts.get("client.user_ini_virtual_store.path", str)
    if store_path and not rules.opengl_level_ok(store_level, want):
        details["virtual_store"] = store_path
        return Finding(Status.WARN, same(f"{store_path}: Level={store_level}") + d3d_note, expected,
                       Text("Windows keeps a per-user copy of user.ini in VirtualStore, which the client reads "
                            f"instead of the one in its folder; Level there is {store_level or 'not set'}.",
                            f"Windows 在 VirtualStore 中保存了 user.ini 的用户副本，客户端读取的是该副本；"
                            f"其中 Level 为 {store_level or '未设置'}。"),
                       remedy(store_path, want), details)
    level = facts.get("client.user_ini.opengl_level", str)
    encoding = facts.get("client.user_ini.encoding", str)
    if encoding == "utf-16":
        return Finding(Status.WARN, same(f"{path}: saved as UTF-16") + d3d_note, expected,
                       Text("user.ini is saved as UTF-16 (Notepad's \"Unicode\"), which the client's "
                            "settings reader does not read.", "user.ini 以 UTF-16（记事本的“Unicode”）保存，客户端无法读取。"),
                       Text("Save user.ini as UTF-8 or ANSI, then set the level: " , "请将 user.ini 另存为 UTF-8 或 ANSI，然后设置：")
                       + remedy(path, want), details)
    if level is None:
        return Finding(Status.WARN, Text("Level not set", "未设置 Level") + d3d_note, expected,
                       Text(f"{path} has no [OpenGL] Level.", f"{path} 中没有 [OpenGL] Level。"),
                       remedy(path, want), details)
    observed = same(f"Level={level}") + d3d_note
    if rules.opengl_level_ok(level, want):
        return Finding(Status.PASS, observed, expected,
                       Text("OpenGL/Level is set as the plan prescribes.", "OpenGL/Level 已按应急预案设置。"),
                       None, details)
    return Finding(Status.WARN, observed, expected,
                   Text(f"OpenGL/Level is {level}, not {want}.", f"OpenGL/Level 为 {level}，不是 {want}。"),
                   remedy(path, want), details)

"""``pack`` and ``merge``: data packs between the PCs of one town's offices."""

from __future__ import annotations

from app.cli.common import open_store
from app.cli.errors import CliError
from app.core.exchange.container import PackError
from app.core.exchange.merge import merge_pack
from app.core.exchange.pack import make_pack
from app.core.storage import keys

CONFLICTS_SHOWN = 50


def cmd_pack(args) -> int:
    if args.password is not None and args.no_password:
        raise CliError("--password 和 --no-password 只能选一个", code=2)
    store = open_store(args)
    if args.no_password and store.path is not None and keys.is_encrypted(store.path):
        store.close()  # the data is encrypted at rest: it leaves this PC encrypted too
        raise CliError("数据库设有密码，数据包也必须加密：请用 --password 设置数据包密码。", code=2)
    try:
        ledgers = [x for x in (args.ledgers or "").replace("，", ",").split(",") if x.strip()] or None
        summary = make_pack(store, args.out, ledgers, args.password, plain=args.no_password)
    except (PackError, KeyError) as exc:
        raise CliError(str(exc.args[0]) if exc.args else str(exc), code=2) from exc
    finally:
        store.close()
    print(summary.describe())
    return 0


def cmd_merge(args) -> int:
    store = open_store(args)
    try:
        result = merge_pack(
            store, args.file, args.password, dry_run=args.dry_run, allow_other_town=args.allow_other_town
        )
    except PackError as exc:
        raise CliError(str(exc), code=2) from exc
    finally:
        store.close()
    head = "试合并（未写入）" if args.dry_run else "已合并"
    print(f"{head}数据包 {result.file}（来自{result.town}{result.office}，生成于 {result.created_at}）")
    print(result.summary())
    if not args.dry_run and result.changes == 0 and not result.conflicts:
        print("没有需要合并的变化（这个数据包已经合并过）。")
    for c in result.conflicts[:CONFLICTS_SHOWN]:
        ours = "" if c.reason else f"本机 {c.ours_at}（{c.ours_office or '未注明'}），"  # invalid: theirs only
        print(
            f"冲突：{c.ledger_name}{f'“{c.title}”' if c.title else ''}（记录编号 {c.uid}）：{ours}"
            f"对方 {c.theirs_at}（{c.theirs_office}），{c.winner_text}"
        )
    if len(result.conflicts) > CONFLICTS_SHOWN:
        print(f"……另有 {len(result.conflicts) - CONFLICTS_SHOWN} 条冲突，详见操作日志。")
    return 0

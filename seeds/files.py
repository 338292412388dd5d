"""Seed files: read and validated one by one (errors name the file and the field), found in
the user's seeds folder, a named file, or the packaged catalogue."""

from __future__ import annotations

import tomllib
from pathlib import Path

from akhbar.seeds import CATALOG_DIR, Seed, SeedError
from pydantic import ValidationError


def _describe(error: dict) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "(file)"
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling against the seed format in the README)"
    elif error["type"] == "missing":
        message = "required field is missing"
    return f"field `{field}`: {message}"


def load_seed(path: Path) -> Seed:
    """Read and validate one seed file; errors name the file and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"{path}: cannot read seed file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise SeedError(f"{path}: not UTF-8 text: byte {exc.object[exc.start]:#04x} on line "
                        f"{line} (save the file as UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: not valid TOML: {exc}") from None
    try:
        seed = Seed.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise SeedError(f"{path}: {problems}") from None
    if seed.id != path.stem:
        raise SeedError(f"{path}: field `id`: {seed.id!r} must match the file name {path.stem!r}")
    seed._file = path.resolve()
    return seed


def is_seed_file(name: str | Path) -> bool:
    """Whether a site given on the command line is a seed file rather than a site id."""
    return str(name).endswith(".toml") or "/" in str(name) or "\\" in str(name)


def _empty_folder(directory: Path, what: str) -> SeedError:
    return SeedError(
        f"{directory}: {what} — add a site with `akhbar sites add URL`, copy one from the "
        f"catalogue with `akhbar sites add --from-catalog ID` (`akhbar seeds --catalog` lists "
        f"them), or point $AKHBAR_SEEDS_DIR / --seeds-dir at your folder of seed files")


def seed_paths(location: Path | None = None,
               site_ids: list[str] | None = None) -> list[Path]:
    """The seed files of a folder or the one file `location` names (default: the seeds
    folder), or of the named sites; a name may itself be a seed file."""
    from akhbar.seeds.settings import default_seeds_dir

    location = location or default_seeds_dir()
    files_only = bool(site_ids) and all(is_seed_file(name) for name in site_ids)
    if files_only:
        known: dict[str, Path] = {}  # the folder is not needed
    elif location.suffix == ".toml" or location.is_file():
        if not location.is_file():
            raise SeedError(f"{location}: no such seed file")
        known = {location.stem: location}
    elif not location.is_dir():
        raise _empty_folder(location, "no such folder of seed files")
    else:
        known = {p.stem: p for p in sorted(location.glob("*.toml"))}
    if not known and not files_only:
        raise _empty_folder(location, "no seed files (*.toml) in this folder yet")
    if not site_ids:
        return list(known.values())
    paths, missing = [], []
    for name in site_ids:
        if is_seed_file(name):
            path = Path(name).expanduser()
            if not path.is_file():
                raise SeedError(f"{path}: no such seed file")
            paths.append(path)
        elif name in known:
            paths.append(known[name])
        else:
            missing.append(name)
    if missing:
        raise SeedError(f"{location}: no seed file for {', '.join(missing)} (known sites: "
                        f"{', '.join(sorted(known)) or 'none'})")
    return paths


def catalog_paths() -> dict[str, Path]:
    """site id → seed file of the packaged catalogue (and the demo's site)."""
    from akhbar.flows.demo.run import DEMO_SEEDS_DIR

    paths = {p.stem: p for folder in (CATALOG_DIR, DEMO_SEEDS_DIR)
             for p in sorted(folder.glob("*.toml"))}
    return paths


def load_seeds(location: Path | None = None, site_ids: list[str] | None = None,
               catalog: bool = False) -> list[Seed]:
    """Every seed of a folder (default: the seeds folder) or seed file, or the named sites,
    all validated before any is used. With `catalog`, a named site missing from the folder is
    looked up in the packaged catalogue (for work on stored pages, such as re-extraction)."""
    if catalog and site_ids:
        found, paths = catalog_paths(), []
        for name in site_ids:
            try:
                paths += seed_paths(location, [name])
            except SeedError:
                if name not in found:
                    raise
                paths.append(found[name])
    else:
        paths = seed_paths(location, site_ids)
    errors, seeds = [], []
    for path in paths:
        try:
            seeds.append(load_seed(path))
        except SeedError as exc:
            errors.append(str(exc))
    if errors:
        raise SeedError("\n".join(errors))
    return seeds

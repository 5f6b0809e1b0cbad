"""Maps the top-level folders into the single ``discolab`` import namespace.

``agents/`` installs as ``discolab.agents``, ``storage/`` as ``discolab.storage`` and so on
(DESIGN.md, "Layout"). Sub-packages are discovered, so adding one needs no edit here.
"""

from setuptools import find_packages, setup

NAMESPACE_FOLDERS = {
    "discolab": "discolab",
    "discolab.agents": "agents",
    "discolab.environments": "environments",
    "discolab.sandbox": "sandbox",
    "discolab.verifiers": "verifiers",
    "discolab.storage": "storage",
}

packages: list[str] = []
package_dir: dict[str, str] = {}
for package, folder in NAMESPACE_FOLDERS.items():
    package_dir[package] = folder
    packages.append(package)
    packages.extend(f"{package}.{sub}" for sub in find_packages(folder))

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={"": ["*.toml", "*.txt", "*.md", "Dockerfile", "*.sh", "*.j2", "*.tmpl"]},
    include_package_data=True,
)

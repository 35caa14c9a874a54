"""The joint plugin's tests run on an app with the core, joint, union and women (no other plugin)."""

import pytest

import plugins.joint.hooks
import plugins.union.hooks
import plugins.women.hooks


@pytest.fixture(scope="module")
def quntuan_plugins():
    return {"union": plugins.union.hooks, "women": plugins.women.hooks, "joint": plugins.joint.hooks}

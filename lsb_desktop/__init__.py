"""亮赛比 桌面版 core: domain rules, services and files, with no Qt in it."""

APP_NAME = "亮赛比 桌面版"
APP_ID = "LiangSaiBi"
__version__ = "0.1.0"

; Inno Setup 6 script for 法治台账: a per-user install that needs no admin rights.
;
; Build on Windows after `pyinstaller installer.spec` has made dist\fazhi-taizhang\:
;   iscc /DAppVersion=0.1.0 build\windows\fazhi-taizhang.iss
; (.github/workflows/windows.yml does both; the version comes from pyproject.toml.)
; Output: dist\fazhi-taizhang-setup-<version>.exe
;
; Data: the program keeps its database in %LOCALAPPDATA%\FazhiTaizhang (app/core/paths.py),
; outside the install folder. Neither the uninstaller nor an upgrade touches it: nothing
; below names that folder. An upgrade (same AppId) replaces only the program files.
;
; Language: Inno Setup ships no official Chinese messages. If ChineseSimplified.isl (the
; unofficial translation from the Inno Setup repository, for 6.5+) lies beside this script,
; the wizard is in Chinese; otherwise in English, with the program's Chinese names.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "法治台账"
#define AppExe "fazhi-taizhang.exe"
#define CliExe "fazhi-cli.exe"
#define BundleDir "..\..\dist\fazhi-taizhang"

[Setup]
; Never change AppId: it is how an upgrade finds the installed version.
AppId={{313379E4-F4B8-468C-8F2A-B46F55B8737F}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} 安装程序
; Per user, no UAC prompt: installs into %LOCALAPPDATA%\Programs\FazhiTaizhang.
PrivilegesRequired=lowest
DefaultDirName={userpf}\FazhiTaizhang
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern
SetupIconFile=..\icon\fazhi.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir=..\..\dist
OutputBaseFilename=fazhi-taizhang-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
; Close a running 法治台账 before replacing its files (Restart Manager).
CloseApplications=yes
RestartApplications=no

#if FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
[Languages]
Name: "chs"; MessagesFile: "ChineseSimplified.isl"
#else
[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; Upgrade: remove the previous version's program files first, so no stale module from an
; older bundle lingers. Only the program folder: the data folder is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
; For IT: a console in the program folder, showing the command line's help.
Name: "{group}\{#AppName}（命令行）"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#CliExe}"" --help"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the (then empty) program folder; the data folder %LOCALAPPDATA%\FazhiTaizhang stays.
Type: dirifempty; Name: "{app}"

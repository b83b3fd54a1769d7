; The Windows installer of Gradient Playground (NSIS 3): installs the one-folder bundle,
; a Start menu entry, an uninstaller (also in Apps & features), and the .pgsession file
; association (a double-clicked session opens in the app). Built by packaging/build.sh
; on Windows:
;   makensis /DVERSION=0.1.0 /DBUNDLE=dist\gradient-playground /DOUTFILE=setup.exe
;            /DICON=build\icons\gradient-playground.ico packaging\windows\installer.nsi
Unicode true
!include "MUI2.nsh"
!include "FileFunc.nsh"

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef BUNDLE
  !error "define BUNDLE: the folder PyInstaller made (dist\gradient-playground)"
!endif
!ifndef OUTFILE
  !define OUTFILE "gradient-playground-${VERSION}-windows-setup.exe"
!endif
!define APP "Gradient Playground"
!define PROGID "GradientPlayground.Session"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\GradientPlayground"

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_FINISHPAGE_RUN "$INSTDIR\playground.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP}"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "MIT License"

; The installer is a 32-bit program: without this, every HKLM key below would land in
; the 32-bit view (WOW6432Node), where 64-bit Windows' shell does not read App Paths.
Function .onInit
  SetRegView 64
  ; A reinstall goes where the last install went (InstallDirRegKey would read the
  ; 32-bit view, before this function runs).
  ReadRegStr $0 HKLM "Software\${APP}" "InstallDir"
  StrCmp $0 "" +2
    StrCpy $INSTDIR $0
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Install"
  SetRegView 64
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "Software\${APP}" "InstallDir" "$INSTDIR"

  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortCut "$SMPROGRAMS\${APP}\${APP}.lnk" "$INSTDIR\playground.exe" "" \
    "$INSTDIR\playground.exe" 0
  CreateShortCut "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk" "$INSTDIR\uninstall.exe"

  ; The session file type: .pgsession -> GradientPlayground.Session -> playground.exe "%1"
  WriteRegStr HKLM "Software\Classes\.pgsession" "" "${PROGID}"
  WriteRegStr HKLM "Software\Classes\.pgsession" "Content Type" "application/x-pgsession"
  WriteRegStr HKLM "Software\Classes\${PROGID}" "" "${APP} session"
  WriteRegStr HKLM "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\playground.exe,0"
  WriteRegStr HKLM "Software\Classes\${PROGID}\shell\open\command" "" \
    '"$INSTDIR\playground.exe" "%1"'
  ; `playground-cli` from Run (Win+R) and `start`; in a console, from the install folder.
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\App Paths\playground-cli.exe" \
    "" "$INSTDIR\playground-cli.exe"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'  ; associations changed

  ; Apps & features
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\playground.exe,0"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  SetRegView 64
  SetShellVarContext all
  Delete "$SMPROGRAMS\${APP}\${APP}.lnk"
  Delete "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk"
  RMDir "$SMPROGRAMS\${APP}"
  ; Only what the installer put there: never a recursive delete of $INSTDIR itself,
  ; which the user may have pointed at a folder holding other files.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\playground.exe"
  Delete "$INSTDIR\playground-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  ; The association, only while it is still ours.
  ReadRegStr $0 HKLM "Software\Classes\.pgsession" ""
  StrCmp $0 "${PROGID}" 0 +2
    DeleteRegKey HKLM "Software\Classes\.pgsession"
  DeleteRegKey HKLM "Software\Classes\${PROGID}"
  DeleteRegKey HKLM "Software\Microsoft\Windows\CurrentVersion\App Paths\playground-cli.exe"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "Software\${APP}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd

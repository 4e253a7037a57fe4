;;; raylint-test.el --- drive Emacs 28 + eglot 1.9 through raylint's quick fixes -*- lexical-binding: t -*-

;; Run by tests/editors/test_emacs.py as
;;   emacs -Q --batch -l raylint-test.el
;; with its settings in the environment:
;;   RAYLINT_FILE      the Python file to open (in a copy of examples/)
;;   RAYLINT_PYTHON    the interpreter to run the server with (`PYTHON -m raylint server')
;;   RAYLINT_SNIPPETS  JSON list of Emacs Lisp files to load first, as an init file would:
;;                     the README's `eglot-server-programs' entry, and for "fixall" its
;;                     fix-all-on-save hook
;;   RAYLINT_MODE      "quickfix" (apply the preferred quick fix at RAYLINT_LINE with
;;                     `eglot-code-actions') or "fixall" (the hook applies the
;;                     source.fixAll.raylint action on save); then save every buffer (the
;;                     fixes also rewrite call sites in other files)
;;   RAYLINT_LINE      1-based line of the diagnostic to fix (quickfix)
;;   RAYLINT_RESULT    where to write what happened, as JSON, for the test to check
;;   RAYLINT_LOG       where to copy eglot's events buffer (the JSON-RPC traffic)
;;   RAYLINT_WAIT_S    how long each wait may take
;; Exits 0 when every step worked, 1 otherwise.  The settings come from the .dir-locals.el
;; that the test writes next to the file (the README's `eglot-workspace-configuration').

(require 'cl-lib)
(require 'json)
(require 'package)

;; -Q skips Debian's site start, which would put elpa-eglot on the load path.
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(setq package-user-dir (expand-file-name "elpa" user-emacs-directory))
(package-initialize)

(defvar raylint-result (list (cons 'steps nil)))
(defvar raylint-server nil)
(defvar raylint-wait-s (string-to-number (or (getenv "RAYLINT_WAIT_S") "30")))

(defun raylint-put (key value)
  (setf (alist-get key raylint-result) value))

(defun raylint-step (message)
  (setf (alist-get 'steps raylint-result)
        (append (alist-get 'steps raylint-result)
                (list (format "%.2f %s" (float-time) message)))))

(defun raylint-finish (ok)
  (raylint-put 'ok (if ok t :json-false))
  (with-temp-file (getenv "RAYLINT_RESULT")
    (insert (json-encode raylint-result)))
  (when (and raylint-server (getenv "RAYLINT_LOG"))
    (let ((events (jsonrpc-events-buffer raylint-server)))
      (when (buffer-live-p events)
        (with-current-buffer events
          (write-region (point-min) (point-max) (getenv "RAYLINT_LOG") nil 'quiet)))))
  (kill-emacs (if ok 0 1)))

(defun raylint-wait (predicate what)
  "Let eglot and flymake work until PREDICATE holds; fail naming WHAT after the wait."
  (let ((deadline (+ (float-time) raylint-wait-s)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (flymake-start nil t) ; batch mode has no idle timers to start flymake
      (accept-process-output nil 0.05))
    (unless (funcall predicate)
      (error "Timed out after %s s waiting for %s" raylint-wait-s what))))

(defun raylint-lsp-diag (diag)
  (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data diag))))

(defun raylint-diagnostics ()
  (cl-remove-if-not (lambda (d) (equal (plist-get (raylint-lsp-diag d) :source) "raylint"))
                    (flymake-diagnostics)))

(defun raylint-describe (diags)
  (vconcat
   (mapcar (lambda (d)
             (let ((lsp (raylint-lsp-diag d)))
               `((line . ,(line-number-at-pos (flymake-diagnostic-beg d)))
                 (type . ,(symbol-name (flymake-diagnostic-type d)))
                 (code . ,(plist-get lsp :code))
                 (severity . ,(plist-get lsp :severity))
                 (message . ,(flymake-diagnostic-text d)))))
           diags)))

(defun raylint-main ()
  (let ((python (getenv "RAYLINT_PYTHON"))
        (mode (getenv "RAYLINT_MODE")))
    ;; The README's snippets, as a user's init file has them ...
    (dolist (snippet (append (json-read-from-string (getenv "RAYLINT_SNIPPETS")) nil))
      (load snippet nil t))
    (require 'eglot)
    (raylint-step (format "eglot %s" (package-desc-version (cadr (assq 'eglot package-alist)))))
    (let ((entry (cl-find-if (lambda (e) (equal (cdr e) '("python" "-m" "raylint" "server")))
                             eglot-server-programs)))
      (unless (and entry (memq 'python-mode (ensure-list (car entry))))
        (error "No python-mode entry (\"python\" \"-m\" \"raylint\" \"server\") in eglot-server-programs"))
      ;; ... run with the tests' interpreter; debounce 0 through initializationOptions
      (setcdr entry (list python "-m" "raylint" "server" :initializationOptions '(:debounce 0))))
    (setq eglot-sync-connect t
          eglot-connect-timeout raylint-wait-s)
    (find-file (getenv "RAYLINT_FILE"))
    (unless (derived-mode-p 'python-mode)
      (error "The file opened in %s, not python-mode" major-mode))
    ;; M-x eglot, which guesses the server from `eglot-server-programs'
    (apply #'eglot (eglot--guess-contact))
    (setq raylint-server (eglot-current-server))
    (unless raylint-server (error "eglot did not connect"))
    (raylint-step "connected")
    (raylint-wait (lambda () (raylint-diagnostics)) "the first diagnostics")
    (let* ((before (raylint-diagnostics))
           (count (length before)))
      (raylint-put 'diagnostics (raylint-describe before))
      (raylint-step (format "%d diagnostics" count))
      (if (equal mode "quickfix")
          (let* ((line (string-to-number (getenv "RAYLINT_LINE")))
                 (target (cl-find-if (lambda (d) (= (line-number-at-pos (flymake-diagnostic-beg d)) line))
                                     before))
                 (tick (buffer-modified-tick))
                 offered)
            (unless target (error "No raylint diagnostic on line %d" line))
            (goto-char (flymake-diagnostic-beg target))
            ;; M-x eglot-code-actions on the squiggle, RET at the prompt: eglot offers the
            ;; preferred action as the default.  (The let-bindings stand in for the user:
            ;; batch mode cannot read the minibuffer.)
            (let ((last-nonmenu-event ?\r)
                  (completing-read-function
                   (lambda (_prompt collection &optional _pred _req _init _hist default &rest _)
                     (setq offered (mapcar (lambda (item)
                                             `((title . ,(car item))
                                               (kind . ,(plist-get (cdr item) :kind))
                                               (isPreferred . ,(if (plist-get (cdr item) :isPreferred) t :json-false))))
                                           collection))
                     (if (consp default) (car default) default))))
              (eglot-code-actions (flymake-diagnostic-beg target) (flymake-diagnostic-end target) "quickfix" t))
            (raylint-put 'actions (vconcat offered))
            (when (= tick (buffer-modified-tick)) (error "The quick fix changed nothing"))
            (raylint-step "applied the preferred quick fix")
            (setq count (1- count)))
        (unless (memq 'my-raylint-fix-all (default-value 'before-save-hook))
          (error "The fix-all-on-save snippet did not add `my-raylint-fix-all' to `before-save-hook'"))
        (setq count 0))
      (let ((text (buffer-string)))
        ;; save-buffer skips an unmodified buffer (and its hooks): as if the user had typed
        (set-buffer-modified-p t)
        (save-buffer)
        (when (and (equal mode "fixall") (equal text (buffer-string)))
          (error "Saving did not apply the fix-all action")))
      (raylint-put 'modified (vconcat (mapcar (lambda (b) (file-name-nondirectory (buffer-file-name b)))
                                              (cl-remove-if-not (lambda (b) (and (buffer-file-name b) (buffer-modified-p b)))
                                                                (buffer-list)))))
      (save-some-buffers t)
      (raylint-step "saved")
      ;; the server sees the change (incremental sync) and takes the fixed problem(s) back
      (condition-case err
          (raylint-wait (lambda () (= (length (raylint-diagnostics)) count))
                        (format "%d diagnostics after the fix" count))
        (error (raylint-put 'diagnostics_after (raylint-describe (raylint-diagnostics)))
               (signal (car err) (cdr err))))
      (raylint-put 'diagnostics_after (raylint-describe (raylint-diagnostics)))
      (raylint-step "diagnostics updated")
      (eglot-shutdown raylint-server nil raylint-wait-s t)
      (raylint-step "server shut down"))))

(defvar raylint-prompts nil)

(condition-case err
    ;; eglot asks before it edits files that are not open ("Server wants to edit ...
    ;; Proceed?"): a fix that updates callers in other files does.  Answer y, as a user would.
    (cl-letf (((symbol-function 'y-or-n-p)
               (lambda (prompt)
                 (push (substring-no-properties prompt) raylint-prompts)
                 (raylint-put 'prompts (vconcat (reverse raylint-prompts)))
                 t)))
      (raylint-main)
      (raylint-finish t))
  (error
   (raylint-put 'error (error-message-string err))
   (raylint-finish nil)))

;;; raylint-test.el ends here
